-- name: SyncConfigUpsert :one
-- Creates or replaces an integration's sync configuration.
INSERT INTO sync_configs (team_id, integration_id, dest_integration_id, dest_schema, schedule, tables, load_method, delete_mode,
    table_parallelism, split_rows)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (integration_id) DO UPDATE SET
    dest_integration_id = EXCLUDED.dest_integration_id, dest_schema = EXCLUDED.dest_schema,
    schedule = EXCLUDED.schedule, tables = EXCLUDED.tables, load_method = EXCLUDED.load_method,
    delete_mode = EXCLUDED.delete_mode, table_parallelism = EXCLUDED.table_parallelism,
    split_rows = EXCLUDED.split_rows, updated_at = now()
WHERE sync_configs.team_id = EXCLUDED.team_id
RETURNING *;

-- name: SyncConfigGetByIntegration :one
SELECT * FROM sync_configs WHERE team_id = $1 AND integration_id = $2;

-- name: SyncConfigGet :one
SELECT * FROM sync_configs WHERE team_id = $1 AND id = $2;

-- name: SyncConfigDelete :one
DELETE FROM sync_configs WHERE team_id = $1 AND integration_id = $2 RETURNING id;

-- name: SyncConfigSetPaused :one
UPDATE sync_configs SET paused = $3, updated_at = now()
WHERE team_id = $1 AND integration_id = $2
RETURNING *;

-- name: SyncCursorGet :one
SELECT value FROM sync_cursors WHERE team_id = $1 AND config_id = $2 AND source_table = $3 AND cursor_field = $4;

-- name: SyncCursorPut :exec
INSERT INTO sync_cursors (team_id, config_id, source_table, cursor_field, value)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (config_id, source_table) DO UPDATE SET cursor_field = EXCLUDED.cursor_field, value = EXCLUDED.value, updated_at = now();

-- name: SyncConfigDeleteByIntegration :many
-- Deletes every sync configuration that reads from or writes to an
-- integration (used when the integration is deleted) and returns their ids,
-- so their Temporal Schedules can be deleted too. History stays.
DELETE FROM sync_configs
WHERE team_id = $1 AND (integration_id = $2 OR dest_integration_id = $2)
RETURNING id;
