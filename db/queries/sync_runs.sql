-- name: SyncRunCreate :one
INSERT INTO sync_runs (id, team_id, integration_id, config_id, config, status, trigger, replay_of, workflow_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (workflow_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id
RETURNING *;

-- name: SyncRunGet :one
SELECT * FROM sync_runs WHERE team_id = $1 AND id = $2;

-- name: SyncRunGetByWorkflow :one
SELECT * FROM sync_runs WHERE team_id = $1 AND workflow_id = $2;

-- name: SyncRunList :many
-- An integration's runs, newest first.
SELECT * FROM sync_runs
WHERE team_id = $1 AND integration_id = $2
ORDER BY created_at DESC, id
LIMIT $3;

-- name: SyncRunStart :one
UPDATE sync_runs SET status = 'running', started_at = COALESCE(started_at, now())
WHERE team_id = $1 AND id = $2 AND status IN ('queued', 'running')
RETURNING *;

-- name: SyncRunFinish :one
-- Records a run's outcome and totals, summed from its tables.
UPDATE sync_runs r SET status = $3, error = $4, finished_at = now(),
    rows_read = t.rows_read, rows_written = t.rows_written, bytes_written = t.bytes_written
FROM (SELECT COALESCE(sum(rows_read), 0)::bigint AS rows_read, COALESCE(sum(rows_written), 0)::bigint AS rows_written,
             COALESCE(sum(bytes_written), 0)::bigint AS bytes_written
      FROM sync_run_tables WHERE run_id = $2 AND team_id = $1) t
WHERE r.team_id = $1 AND r.id = $2
RETURNING r.*;

-- name: SyncRunTableUpsertQueued :exec
INSERT INTO sync_run_tables (run_id, team_id, source_table, dest_table, status, cursor_field, cursor_before)
VALUES ($1, $2, $3, $4, 'queued', $5, $6)
ON CONFLICT (run_id, source_table) DO NOTHING;

-- name: SyncRunTableStart :exec
UPDATE sync_run_tables SET status = 'running', attempts = attempts + 1, started_at = COALESCE(started_at, now()), error = NULL
WHERE team_id = $1 AND run_id = $2 AND source_table = $3;

-- name: SyncRunTableRunning :exec
-- Marks a table whose key ranges are being copied running, counting no
-- attempt: its ranges start and retry one by one, and the CopyTable that
-- commits them counts the table's attempt.
UPDATE sync_run_tables SET status = 'running', started_at = COALESCE(started_at, now())
WHERE team_id = $1 AND run_id = $2 AND source_table = $3 AND status IN ('queued', 'running');

-- name: SyncRunTableSucceed :exec
UPDATE sync_run_tables SET status = 'succeeded', rows_read = $4, rows_written = $5, bytes_written = $6,
    snapshot_id = $7, cursor_after = $8, finished_at = now(), error = NULL
WHERE team_id = $1 AND run_id = $2 AND source_table = $3;

-- name: SyncRunTableFail :exec
UPDATE sync_run_tables SET status = $4, error = $5, finished_at = now()
WHERE team_id = $1 AND run_id = $2 AND source_table = $3 AND status <> 'succeeded';

-- name: SyncRunTableList :many
SELECT * FROM sync_run_tables WHERE team_id = $1 AND run_id = ANY(sqlc.arg(run_ids)::uuid[]) ORDER BY source_table;

-- name: SyncRunTableProgress :exec
-- Rows read so far by a running copy; a finished table keeps its final count.
UPDATE sync_run_tables SET rows_read = $4
WHERE team_id = $1 AND run_id = $2 AND source_table = $3 AND status = 'running';

-- name: SyncRunTableRangeProgress :exec
-- Rows read so far by one key range of a running split table; the table's
-- rows_read becomes the sum over its ranges. Ranges writing at once queue
-- on the row, and each sum includes the write before it.
UPDATE sync_run_tables SET range_rows = COALESCE(range_rows, '{}'::jsonb) || jsonb_build_object(sqlc.arg(range_index)::int::text, sqlc.arg(rows)::bigint),
    rows_read = (SELECT COALESCE(sum(value::bigint), 0)::bigint FROM jsonb_each_text(
        COALESCE(range_rows, '{}'::jsonb) || jsonb_build_object(sqlc.arg(range_index)::int::text, sqlc.arg(rows)::bigint)))
WHERE team_id = $1 AND run_id = $2 AND source_table = $3 AND status = 'running';

-- name: SyncRunTableEstimate :exec
UPDATE sync_run_tables SET rows_estimate = $4
WHERE team_id = $1 AND run_id = $2 AND source_table = $3;

-- name: SyncRunTableEndUnfinished :exec
-- A run that ends leaves no table queued or running (a cancel can stop the
-- workflow before a copy reports).
UPDATE sync_run_tables SET status = $3, error = COALESCE(error, $4), finished_at = now()
WHERE team_id = $1 AND run_id = $2 AND status IN ('queued', 'running');

-- name: SyncRunsFinished :many
-- Which of the given runs have finished (are in one of the final statuses
-- given): the runs requests with ?wait= are waiting on, checked together.
-- Each was read with its team's id first.
SELECT id FROM sync_runs
WHERE team_id = ANY(@team_ids::uuid[]) AND id = ANY(@ids::uuid[])
  AND status = ANY(@final_statuses::text[]);
