-- Pipeline observability: the team's own pipelines report task runs, transformations
-- (lineage), dataset schemas and metrics (POST /log/*, POST /api/v1/lineage).
-- Every table carries team_id and every query filters on it.

-- An app is a pipeline (Definity's app_name, OpenLineage's job namespace). The row is
-- created by the first run and holds per-app settings.
CREATE TABLE obs_apps (
    team_id              uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name                 text NOT NULL,
    -- How long a run may go without an end before it becomes timed_out; NULL means
    -- the default (24 h).
    task_timeout_seconds integer CHECK (task_timeout_seconds BETWEEN 1 AND 2592000),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team_id, name)
);

-- One run of a task. task_id is the client's id, unique per team (any string or
-- number, kept as text). Its lifecycle is driven by the TaskRunWorkflow whose id is
-- workflow_id.
CREATE TABLE obs_task_runs (
    id          bigserial PRIMARY KEY,
    team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    task_id     text NOT NULL,
    app_name    text NOT NULL,
    task_name   text NOT NULL,
    task_type   text NOT NULL DEFAULT '',
    env         text NOT NULL DEFAULT '',
    app_pit     timestamptz,
    status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'success', 'failed', 'timed_out')),
    error       text NOT NULL DEFAULT '',
    workflow_id text NOT NULL,
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    duration_ms bigint,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, task_id),
    FOREIGN KEY (team_id, app_name) REFERENCES obs_apps (team_id, name) ON DELETE CASCADE
);

CREATE INDEX obs_task_runs_started_idx ON obs_task_runs (team_id, started_at DESC, id DESC);
CREATE INDEX obs_task_runs_app_idx ON obs_task_runs (team_id, app_name, started_at DESC, id DESC);

-- A dataset is known by its name across apps: one app writing shared_db.table_a and
-- another reading it meet here. namespace is OpenLineage's, when one was sent.
CREATE TABLE obs_datasets (
    id         bigserial PRIMARY KEY,
    team_id    uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name       text NOT NULL,
    ds_type    text NOT NULL DEFAULT '',
    namespace  text NOT NULL DEFAULT '',
    properties jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, name)
);

CREATE INDEX obs_datasets_name_idx ON obs_datasets (team_id, name text_pattern_ops);

-- A transformation is a logical step: (app, task, tf_id) reported by every run of
-- that task. Lineage hangs off it, so the graph does not grow with the number of runs.
CREATE TABLE obs_transformations (
    id                bigserial PRIMARY KEY,
    team_id           uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    app_name          text NOT NULL,
    task_name         text NOT NULL,
    tf_id             text NOT NULL,
    output_dataset_id bigint NOT NULL REFERENCES obs_datasets (id) ON DELETE CASCADE,
    query_str         text NOT NULL DEFAULT '',
    last_task_run_id  bigint REFERENCES obs_task_runs (id) ON DELETE SET NULL,
    first_seen_at     timestamptz NOT NULL,
    last_seen_at      timestamptz NOT NULL,
    UNIQUE (team_id, app_name, task_name, tf_id)
);

-- What one run reported about a transformation, as it reported it.
CREATE TABLE obs_task_transformations (
    task_run_id       bigint NOT NULL REFERENCES obs_task_runs (id) ON DELETE CASCADE,
    transformation_id bigint NOT NULL REFERENCES obs_transformations (id) ON DELETE CASCADE,
    team_id           uuid NOT NULL,
    tf_id             text NOT NULL,
    status            text NOT NULL DEFAULT '',
    query_str         text NOT NULL DEFAULT '',
    inputs            jsonb NOT NULL DEFAULT '{}'::jsonb,
    output_name       text NOT NULL,
    reported_at       timestamptz NOT NULL,
    PRIMARY KEY (task_run_id, transformation_id)
);

-- Lineage edges: input dataset -> transformation -> output dataset. Every
-- (transformation, input, output) has one dataset-level row (both columns ''). Column
-- rows name input_column and, when known, output_column ('' = the transformation
-- named the input column but not which output column it feeds).
CREATE TABLE obs_lineage_edges (
    id                bigserial PRIMARY KEY,
    team_id           uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    transformation_id bigint NOT NULL REFERENCES obs_transformations (id) ON DELETE CASCADE,
    input_dataset_id  bigint NOT NULL REFERENCES obs_datasets (id) ON DELETE CASCADE,
    output_dataset_id bigint NOT NULL REFERENCES obs_datasets (id) ON DELETE CASCADE,
    input_column      text NOT NULL DEFAULT '',
    output_column     text NOT NULL DEFAULT '',
    first_seen_at     timestamptz NOT NULL,
    last_seen_at      timestamptz NOT NULL,
    UNIQUE (team_id, transformation_id, input_dataset_id, output_dataset_id, input_column, output_column)
);

-- Column-level walks.
CREATE INDEX obs_lineage_edges_down_idx ON obs_lineage_edges (team_id, input_dataset_id, input_column);
CREATE INDEX obs_lineage_edges_up_idx ON obs_lineage_edges (team_id, output_dataset_id, output_column);
-- Dataset-level walks, the common case, read only the dataset-level rows.
CREATE INDEX obs_lineage_edges_down_ds_idx ON obs_lineage_edges (team_id, input_dataset_id)
    WHERE input_column = '' AND output_column = '';
CREATE INDEX obs_lineage_edges_up_ds_idx ON obs_lineage_edges (team_id, output_dataset_id)
    WHERE input_column = '' AND output_column = '';

-- Schema versions of a dataset: a new version only when the fields differ from the
-- previous one (fingerprint), with the change recorded in obs_schema_changes.
CREATE TABLE obs_schema_versions (
    id          bigserial PRIMARY KEY,
    team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    dataset_id  bigint NOT NULL REFERENCES obs_datasets (id) ON DELETE CASCADE,
    version     integer NOT NULL,
    fields      jsonb NOT NULL,
    fingerprint text NOT NULL,
    task_run_id bigint REFERENCES obs_task_runs (id) ON DELETE SET NULL,
    tf_id       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    UNIQUE (dataset_id, version)
);

CREATE TABLE obs_schema_changes (
    id           bigserial PRIMARY KEY,
    team_id      uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    dataset_id   bigint NOT NULL REFERENCES obs_datasets (id) ON DELETE CASCADE,
    from_version integer NOT NULL,
    to_version   integer NOT NULL,
    added        jsonb NOT NULL DEFAULT '[]'::jsonb,
    removed      jsonb NOT NULL DEFAULT '[]'::jsonb,
    retyped      jsonb NOT NULL DEFAULT '[]'::jsonb,
    task_run_id  bigint REFERENCES obs_task_runs (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL,
    UNIQUE (dataset_id, to_version)
);

-- Which datasets a run reported: as a transformation's input or output, or with a
-- schema (and the version it saw).
CREATE TABLE obs_task_datasets (
    task_run_id    bigint NOT NULL REFERENCES obs_task_runs (id) ON DELETE CASCADE,
    dataset_id     bigint NOT NULL REFERENCES obs_datasets (id) ON DELETE CASCADE,
    team_id        uuid NOT NULL,
    schema_version integer,
    tf_id          text NOT NULL DEFAULT '',
    is_input       boolean NOT NULL DEFAULT false,
    is_output      boolean NOT NULL DEFAULT false,
    reported_at    timestamptz NOT NULL,
    PRIMARY KEY (task_run_id, dataset_id)
);

-- Metric values as a time series per (asset_name, metric_type).
CREATE TABLE obs_metric_values (
    id          bigserial PRIMARY KEY,
    team_id     uuid NOT NULL,
    task_run_id bigint NOT NULL REFERENCES obs_task_runs (id) ON DELETE CASCADE,
    asset_name  text NOT NULL,
    asset_type  text NOT NULL DEFAULT '',
    metric_type text NOT NULL,
    value       double precision NOT NULL,
    recorded_at timestamptz NOT NULL
);

CREATE INDEX obs_metric_values_series_idx ON obs_metric_values (team_id, asset_name, metric_type, recorded_at DESC);
CREATE INDEX obs_metric_values_run_idx ON obs_metric_values (task_run_id);

-- A metric value outside its robust band (median ± k·MAD of the series' history).
CREATE TABLE obs_anomalies (
    id              bigserial PRIMARY KEY,
    team_id         uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    task_run_id     bigint NOT NULL REFERENCES obs_task_runs (id) ON DELETE CASCADE,
    metric_value_id bigint NOT NULL UNIQUE REFERENCES obs_metric_values (id) ON DELETE CASCADE,
    asset_name      text NOT NULL,
    metric_type     text NOT NULL,
    value           double precision NOT NULL,
    median          double precision NOT NULL,
    mad             double precision NOT NULL,
    lower_bound     double precision NOT NULL,
    upper_bound     double precision NOT NULL,
    history_count   integer NOT NULL,
    detected_at     timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX obs_anomalies_run_idx ON obs_anomalies (team_id, task_run_id);
