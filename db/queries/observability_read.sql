-- name: ObsPipelineList :many
-- The team's apps with their latest run (as JSON, NULL before the first run), the
-- envs they ran in and how many distinct tasks they have.
SELECT a.name, a.task_timeout_seconds, a.created_at,
       s.task_count::integer AS task_count,
       s.run_count::integer AS run_count,
       coalesce(s.envs, '{}')::text[] AS envs,
       l.last_run
FROM obs_apps a
CROSS JOIN LATERAL (
    SELECT count(DISTINCT r.task_name) AS task_count, count(*) AS run_count,
           array_agg(DISTINCT r.env ORDER BY r.env) FILTER (WHERE r.env <> '') AS envs
    FROM obs_task_runs r
    WHERE r.team_id = @team_id AND r.app_name = a.name
) s
LEFT JOIN LATERAL (
    SELECT jsonb_build_object('task_id', r.task_id, 'task_name', r.task_name, 'status', r.status,
                              'env', r.env, 'started_at', r.started_at, 'ended_at', r.ended_at) AS last_run
    FROM obs_task_runs r
    WHERE r.team_id = @team_id AND r.app_name = a.name
    ORDER BY r.started_at DESC, r.id DESC
    LIMIT 1
) l ON true
WHERE a.team_id = @team_id AND a.name > @after::text
ORDER BY a.name
LIMIT @row_limit::integer;

-- name: ObsAppGet :one
SELECT * FROM obs_apps
WHERE team_id = @team_id AND name = @name;

-- name: ObsAppTaskList :many
-- The distinct tasks of an app with their run count and latest run.
SELECT DISTINCT ON (r.task_name)
       r.task_name, r.task_type, r.task_id AS last_task_id, r.status AS last_status, r.env AS last_env,
       r.started_at AS last_started_at, r.ended_at AS last_ended_at, r.duration_ms AS last_duration_ms,
       (count(*) OVER (PARTITION BY r.task_name))::integer AS run_count
FROM obs_task_runs r
WHERE r.team_id = @team_id AND r.app_name = @app_name
ORDER BY r.task_name, r.started_at DESC, r.id DESC
LIMIT @row_limit::integer;

-- name: ObsTaskRunList :many
-- Task runs newest first, filtered, after a (started_at, id) cursor.
SELECT * FROM obs_task_runs
WHERE team_id = @team_id
  AND (@app_name::text = '' OR app_name = @app_name::text)
  AND (@status::text = '' OR status = @status::text)
  AND (@env::text = '' OR env = @env::text)
  AND started_at >= @since::timestamptz
  AND started_at < @until::timestamptz
  AND (started_at, id) < (@cursor_started_at::timestamptz, @cursor_id::bigint)
ORDER BY started_at DESC, id DESC
LIMIT @row_limit::integer;

-- name: ObsTaskTransformationList :many
SELECT tt.tf_id, tt.status, tt.query_str, tt.inputs, tt.output_name, tt.sql_lineage, tt.reported_at
FROM obs_task_transformations tt
WHERE tt.team_id = @team_id AND tt.task_run_id = @task_run_id
ORDER BY tt.reported_at, tt.tf_id;

-- name: ObsTaskDatasetList :many
SELECT d.name, d.ds_type, td.schema_version, td.tf_id, td.is_input, td.is_output, td.reported_at,
       coalesce(v.fields, '[]'::jsonb)::jsonb AS fields
FROM obs_task_datasets td
JOIN obs_datasets d ON d.id = td.dataset_id AND d.team_id = @team_id
LEFT JOIN obs_schema_versions v ON v.dataset_id = td.dataset_id AND v.version = td.schema_version AND v.team_id = @team_id
WHERE td.team_id = @team_id AND td.task_run_id = @task_run_id
ORDER BY d.name;

-- name: ObsTaskMetricList :many
SELECT m.asset_name, m.asset_type, m.metric_type, m.value, m.recorded_at
FROM obs_metric_values m
WHERE m.team_id = @team_id AND m.task_run_id = @task_run_id
ORDER BY m.recorded_at, m.id
LIMIT @row_limit::integer;

-- name: ObsTaskAnomalyList :many
SELECT * FROM obs_anomalies
WHERE team_id = @team_id AND task_run_id = @task_run_id
ORDER BY asset_name, metric_type;
