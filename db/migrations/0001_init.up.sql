-- Teams own everything; every other table is scoped by team_id.
CREATE TABLE teams (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- API tokens are stored as the SHA-256 of the token, never the token itself.
CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id      uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name         text NOT NULL DEFAULT '',
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);

CREATE INDEX api_tokens_team_id_idx ON api_tokens (team_id);

-- An integration (Definite facade) and a connection (Lytics facade) are the same row.
-- config holds the non-secret fields; sealed_secrets holds the secret fields as one
-- AES-256-GCM ciphertext (see package secrets) whose header names the key that sealed it;
-- secret_fields lists which secret fields hold a value, so reads never need to decrypt.
CREATE TABLE integrations (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id        uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    type           text NOT NULL,
    name           text NOT NULL,
    config         jsonb NOT NULL DEFAULT '{}'::jsonb,
    sealed_secrets bytea,
    secret_fields  text[] NOT NULL DEFAULT '{}',
    status         text NOT NULL DEFAULT 'active',
    validated_at   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    deleted_at     timestamptz
);

CREATE INDEX integrations_team_live_idx ON integrations (team_id, created_at DESC) WHERE deleted_at IS NULL;
