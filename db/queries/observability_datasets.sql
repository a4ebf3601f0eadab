-- name: ObsDatasetLock :one
-- Locks a dataset row so concurrent schema reports number their versions one at a time.
SELECT id FROM obs_datasets
WHERE team_id = @team_id AND id = @id
FOR UPDATE;

-- name: ObsSchemaVersionLatest :one
SELECT * FROM obs_schema_versions
WHERE team_id = @team_id AND dataset_id = @dataset_id
ORDER BY version DESC
LIMIT 1;

-- name: ObsSchemaVersionCreate :one
INSERT INTO obs_schema_versions (team_id, dataset_id, version, fields, fingerprint, task_run_id, tf_id, created_at)
VALUES (@team_id, @dataset_id, @version, @fields, @fingerprint, sqlc.narg('task_run_id'), @tf_id, @created_at)
RETURNING *;

-- name: ObsSchemaChangeCreate :exec
INSERT INTO obs_schema_changes (team_id, dataset_id, from_version, to_version, added, removed, retyped, task_run_id, created_at)
VALUES (@team_id, @dataset_id, @from_version, @to_version, @added, @removed, @retyped, sqlc.narg('task_run_id'), @created_at);

-- name: ObsTaskDatasetUpsert :exec
-- Records that a run reported a dataset, and which schema version it saw.
INSERT INTO obs_task_datasets (task_run_id, dataset_id, team_id, schema_version, tf_id, reported_at)
VALUES (@task_run_id, @dataset_id, @team_id, sqlc.narg('schema_version'), @tf_id, @reported_at)
ON CONFLICT (task_run_id, dataset_id) DO UPDATE
SET schema_version = coalesce(EXCLUDED.schema_version, obs_task_datasets.schema_version),
    tf_id = CASE WHEN EXCLUDED.tf_id = '' THEN obs_task_datasets.tf_id ELSE EXCLUDED.tf_id END,
    reported_at = EXCLUDED.reported_at;

-- name: ObsDatasetList :many
-- Lists datasets by name after a cursor, optionally those whose name starts with a prefix.
SELECT d.id, d.name, d.ds_type, d.namespace, d.created_at, d.updated_at,
       coalesce(v.version, 0)::integer AS schema_version,
       coalesce(jsonb_array_length(v.fields), 0)::integer AS field_count
FROM obs_datasets d
LEFT JOIN LATERAL (
    SELECT version, fields FROM obs_schema_versions s
    WHERE s.team_id = @team_id AND s.dataset_id = d.id
    ORDER BY version DESC LIMIT 1
) v ON true
WHERE d.team_id = @team_id
  AND d.name > @after::text
  AND d.name LIKE @name_prefix::text || '%'
ORDER BY d.name
LIMIT @row_limit::integer;

-- name: ObsSchemaVersionList :many
SELECT s.*, coalesce(r.task_id, '')::text AS task_id
FROM obs_schema_versions s
LEFT JOIN obs_task_runs r ON r.id = s.task_run_id AND r.team_id = @team_id
WHERE s.team_id = @team_id AND s.dataset_id = @dataset_id
ORDER BY s.version DESC
LIMIT @row_limit::integer;

-- name: ObsSchemaChangeList :many
SELECT c.*, coalesce(r.task_id, '')::text AS task_id
FROM obs_schema_changes c
LEFT JOIN obs_task_runs r ON r.id = c.task_run_id AND r.team_id = @team_id
WHERE c.team_id = @team_id AND c.dataset_id = @dataset_id
ORDER BY c.to_version DESC
LIMIT @row_limit::integer;

-- name: ObsTaskDatasetRolesUpsert :exec
-- Records the datasets a run read or wrote. Each dataset appears once per call.
INSERT INTO obs_task_datasets (task_run_id, dataset_id, team_id, is_input, is_output, reported_at)
SELECT @task_run_id, unnest(@dataset_ids::bigint[]), @team_id,
       unnest(@is_input::boolean[]), unnest(@is_output::boolean[]), @reported_at
ON CONFLICT (task_run_id, dataset_id) DO UPDATE
SET is_input = obs_task_datasets.is_input OR EXCLUDED.is_input,
    is_output = obs_task_datasets.is_output OR EXCLUDED.is_output,
    reported_at = EXCLUDED.reported_at;

-- name: ObsTaskDatasetRoles :many
-- The datasets a run read or wrote, so an event that brings only outputs can be
-- linked to the inputs an earlier event of the same run brought.
SELECT d.name, td.is_input, td.is_output
FROM obs_task_datasets td
JOIN obs_datasets d ON d.id = td.dataset_id AND d.team_id = @team_id
WHERE td.team_id = @team_id AND td.task_run_id = @task_run_id AND (td.is_input OR td.is_output)
ORDER BY d.name;
