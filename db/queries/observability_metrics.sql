-- name: ObsMetricValuesInsert :execrows
-- Appends metric values to a run in one statement. No row is written when the team
-- has no run with that task_id, which callers read as "not started".
INSERT INTO obs_metric_values (team_id, task_run_id, asset_name, asset_type, metric_type, value, recorded_at)
SELECT r.team_id, r.id, unnest(@asset_names::text[]), unnest(@asset_types::text[]),
       unnest(@metric_types::text[]), unnest(@metric_values::float8[]), @recorded_at
FROM obs_task_runs r
WHERE r.team_id = @team_id AND r.task_id = @task_id;

-- name: ObsMetricHistoryForRun :many
-- For each series (asset_name, metric_type) the run reported, its latest value in
-- the run and up to history_limit earlier values from other runs, newest first.
WITH current AS (
    SELECT DISTINCT ON (m.asset_name, m.metric_type) m.id, m.asset_name, m.metric_type, m.value, m.recorded_at
    FROM obs_metric_values m
    WHERE m.team_id = @team_id AND m.task_run_id = @task_run_id
    ORDER BY m.asset_name, m.metric_type, m.recorded_at DESC, m.id DESC
    LIMIT @series_limit::integer
)
SELECT c.id, c.asset_name, c.metric_type, c.value,
       coalesce(h.history, '{}')::float8[] AS history
FROM current c
CROSS JOIN LATERAL (
    SELECT array_agg(p.value ORDER BY p.recorded_at DESC) AS history
    FROM (
        SELECT m.value, m.recorded_at
        FROM obs_metric_values m
        WHERE m.team_id = @team_id AND m.asset_name = c.asset_name AND m.metric_type = c.metric_type
          AND m.task_run_id <> @task_run_id AND m.recorded_at <= c.recorded_at
        ORDER BY m.recorded_at DESC
        LIMIT @history_limit::integer
    ) p
) h
ORDER BY c.asset_name, c.metric_type;

-- name: ObsAnomalyRecord :exec
-- Records an anomaly once per metric value, so a retried check does not duplicate it.
INSERT INTO obs_anomalies (team_id, task_run_id, metric_value_id, asset_name, metric_type, value,
                           median, mad, lower_bound, upper_bound, history_count)
VALUES (@team_id, @task_run_id, @metric_value_id, @asset_name, @metric_type, @value,
        @median, @mad, @lower_bound, @upper_bound, @history_count)
ON CONFLICT (metric_value_id) DO NOTHING;

-- name: ObsMetricSeries :many
-- The newest metric values of one of the team's assets, optionally of one metric type;
-- anomalous values are marked.
SELECT m.id, m.asset_name, m.asset_type, m.metric_type, m.value, m.recorded_at, r.task_id,
       (a.id IS NOT NULL)::boolean AS anomaly
FROM obs_metric_values m
JOIN obs_task_runs r ON r.id = m.task_run_id AND r.team_id = @team_id
LEFT JOIN obs_anomalies a ON a.metric_value_id = m.id AND a.team_id = @team_id
WHERE m.team_id = @team_id
  AND m.asset_name = @asset_name
  AND (@metric_type::text = '' OR m.metric_type = @metric_type::text)
  AND m.recorded_at >= @since::timestamptz
  AND m.recorded_at < @until::timestamptz
ORDER BY m.recorded_at DESC, m.id DESC
LIMIT @row_limit::integer;
