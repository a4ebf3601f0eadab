-- Cube-format data models, one per integration (PUT /v1/api/integrations/{id}/models).
-- source is the YAML as uploaded; summary is what validation found (counts, cube names).
CREATE TABLE semantic_models (
    team_id        uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    source         text NOT NULL,
    sha256         bytea NOT NULL CHECK (length(sha256) = 32),
    summary        jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id)
);

CREATE INDEX semantic_models_team_idx ON semantic_models (team_id);

-- Where an integration's schema embeddings stand. schema_hash fingerprints the table
-- list the vectors were computed from, so discovery can tell when they are stale.
CREATE TABLE schema_embedding_state (
    team_id          uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    integration_id   uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    status           text NOT NULL CHECK (status IN ('pending', 'running', 'ready', 'failed')),
    reason           text NOT NULL DEFAULT '',
    provider         text NOT NULL DEFAULT '',
    model            text NOT NULL DEFAULT '',
    schema_hash      bytea,
    tables_total     int NOT NULL DEFAULT 0,
    tables_done      int NOT NULL DEFAULT 0,
    tables_embedded  int NOT NULL DEFAULT 0,
    columns_embedded int NOT NULL DEFAULT 0,
    error            text,
    requested_at     timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    embedded_at      timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id)
);

CREATE INDEX schema_embedding_state_team_idx ON schema_embedding_state (team_id);

-- One vector per table (column_name = '') and per column. document is the text that was
-- embedded: names, types and comments, never row values. detail holds a table's columns
-- (for AI SQL prompts) on table rows. generation is the run that wrote the row; rows of
-- older generations are pruned when a run completes.
CREATE TABLE schema_embeddings (
    team_id        uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    table_schema   text NOT NULL,
    table_name     text NOT NULL,
    column_name    text NOT NULL DEFAULT '',
    document       text NOT NULL,
    detail         jsonb,
    vector         bytea NOT NULL,
    model          text NOT NULL,
    generation     text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, table_schema, table_name, column_name)
);

CREATE INDEX schema_embeddings_team_idx ON schema_embeddings (team_id, integration_id);
