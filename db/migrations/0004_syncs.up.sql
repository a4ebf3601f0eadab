-- Every team has exactly one live lake integration.
CREATE UNIQUE INDEX integrations_one_lake_idx ON integrations (team_id) WHERE type = 'ducklake' AND deleted_at IS NULL;

-- One sync configuration per source integration (posting again updates it).
-- tables holds the requested entries: "schema.table" or "schema.*", with
-- optional per-table cursor_field and primary_keys.
CREATE TABLE sync_configs (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id             uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    integration_id      uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    dest_integration_id uuid NOT NULL REFERENCES integrations (id),
    dest_schema         text NOT NULL,
    schedule            text NOT NULL,
    tables              jsonb NOT NULL,
    load_method         text NOT NULL CHECK (load_method IN ('merge', 'append', 'overwrite')),
    paused              boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (integration_id)
);

CREATE INDEX sync_configs_team_idx ON sync_configs (team_id);

-- Every run of a sync, with the configuration it ran with (so a replay runs
-- exactly that again).
CREATE TABLE sync_runs (
    id             uuid PRIMARY KEY,
    team_id        uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    config_id      uuid REFERENCES sync_configs (id) ON DELETE SET NULL,
    config         jsonb NOT NULL,
    status         text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'partially_succeeded', 'failed', 'cancelled')),
    trigger        text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'replay')),
    replay_of      uuid REFERENCES sync_runs (id) ON DELETE SET NULL,
    workflow_id    text NOT NULL UNIQUE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    finished_at    timestamptz,
    rows_read      bigint NOT NULL DEFAULT 0,
    rows_written   bigint NOT NULL DEFAULT 0,
    bytes_written  bigint NOT NULL DEFAULT 0,
    error          text
);

CREATE INDEX sync_runs_history_idx ON sync_runs (team_id, integration_id, created_at DESC);

-- One row per table of a run.
CREATE TABLE sync_run_tables (
    run_id        uuid NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    team_id       uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    source_table  text NOT NULL,
    dest_table    text NOT NULL,
    status        text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    rows_read     bigint NOT NULL DEFAULT 0,
    rows_written  bigint NOT NULL DEFAULT 0,
    bytes_written bigint NOT NULL DEFAULT 0,
    snapshot_id   bigint,
    cursor_field  text,
    cursor_before jsonb,
    cursor_after  jsonb,
    attempts      int NOT NULL DEFAULT 0,
    error         text,
    started_at    timestamptz,
    finished_at   timestamptz,
    PRIMARY KEY (run_id, source_table)
);

-- Incremental state: the greatest cursor value synced per table.
CREATE TABLE sync_cursors (
    team_id      uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    config_id    uuid NOT NULL REFERENCES sync_configs (id) ON DELETE CASCADE,
    source_table text NOT NULL,
    cursor_field text NOT NULL,
    value        jsonb NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (config_id, source_table)
);
