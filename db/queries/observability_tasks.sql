-- name: ObsAppEnsure :one
-- Creates the app on its first run and returns its settings.
INSERT INTO obs_apps (team_id, name)
VALUES (@team_id, @name)
ON CONFLICT (team_id, name) DO UPDATE SET updated_at = obs_apps.updated_at
RETURNING *;

-- name: ObsAppSetTimeout :one
-- Sets (or, with NULL, resets to the default) how long a run of the app may go without an end.
INSERT INTO obs_apps (team_id, name, task_timeout_seconds)
VALUES (@team_id, @name, sqlc.narg('task_timeout_seconds'))
ON CONFLICT (team_id, name) DO UPDATE SET task_timeout_seconds = EXCLUDED.task_timeout_seconds, updated_at = now()
RETURNING *;

-- name: ObsTaskRunCreate :one
-- Creates a task run. On a repeated start nothing is written and no row is returned.
INSERT INTO obs_task_runs (team_id, task_id, app_name, task_name, task_type, env, app_pit, workflow_id, started_at)
VALUES (@team_id, @task_id, @app_name, @task_name, @task_type, @env, sqlc.narg('app_pit'), @workflow_id, @started_at)
ON CONFLICT (team_id, task_id) DO NOTHING
RETURNING *;

-- name: ObsTaskRunGet :one
SELECT * FROM obs_task_runs
WHERE team_id = @team_id AND task_id = @task_id;

-- name: ObsTaskRunGetByID :one
SELECT * FROM obs_task_runs
WHERE team_id = @team_id AND id = @id;

-- name: ObsTaskRunFinish :one
-- Records a run's end once: a run that already ended or timed out is left as it is.
UPDATE obs_task_runs
SET status = @status, error = @error, ended_at = @ended_at, duration_ms = @duration_ms
WHERE team_id = @team_id AND id = @id AND status = 'running'
RETURNING *;

-- name: ObsTaskRunTimeOut :one
-- Marks a run that never reported its end as timed_out, once.
UPDATE obs_task_runs
SET status = 'timed_out', ended_at = @ended_at, duration_ms = @duration_ms,
    error = 'no end was reported before the deadline'
WHERE team_id = @team_id AND id = @id AND status = 'running'
RETURNING *;
