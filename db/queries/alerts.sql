-- name: AlertChannelCreate :one
INSERT INTO alert_channels (id, team_id, name, kind, url_display, sealed_config, enabled)
VALUES (@id, @team_id, @name, @kind, @url_display, @sealed_config, @enabled)
RETURNING *;

-- name: AlertChannelList :many
SELECT * FROM alert_channels WHERE team_id = @team_id ORDER BY name LIMIT @max_rows;

-- name: AlertChannelGet :one
SELECT * FROM alert_channels WHERE team_id = @team_id AND id = @id;

-- name: AlertChannelUpdate :one
UPDATE alert_channels
SET name = @name, url_display = @url_display, sealed_config = @sealed_config, enabled = @enabled, updated_at = now()
WHERE team_id = @team_id AND id = @id
RETURNING *;

-- name: AlertChannelDelete :execrows
DELETE FROM alert_channels WHERE team_id = @team_id AND id = @id;

-- name: AlertRuleCreate :one
INSERT INTO alert_rules (team_id, name, event, channel_id, integration_id, app, task_id, asset, metric, stale_hours, enabled)
SELECT @team_id, @name, @event, c.id, sqlc.narg(integration_id), sqlc.narg(app), sqlc.narg(task_id),
       sqlc.narg(asset), sqlc.narg(metric), sqlc.narg(stale_hours), @enabled
FROM alert_channels c WHERE c.team_id = @team_id AND c.id = @channel_id
RETURNING *;

-- name: AlertRuleList :many
SELECT * FROM alert_rules WHERE team_id = @team_id ORDER BY name LIMIT @max_rows;

-- name: AlertRuleGet :one
SELECT * FROM alert_rules WHERE team_id = @team_id AND id = @id;

-- name: AlertRuleUpdate :one
UPDATE alert_rules r
SET name = @name, event = @event, channel_id = c.id, integration_id = sqlc.narg(integration_id), app = sqlc.narg(app),
    task_id = sqlc.narg(task_id), asset = sqlc.narg(asset), metric = sqlc.narg(metric),
    stale_hours = sqlc.narg(stale_hours), enabled = @enabled, updated_at = now()
FROM alert_channels c
WHERE r.team_id = @team_id AND r.id = @id AND c.team_id = @team_id AND c.id = @channel_id
RETURNING r.*;

-- name: AlertRuleDelete :execrows
DELETE FROM alert_rules WHERE team_id = @team_id AND id = @id;

-- name: AlertEventEmit :one
-- Records an event once per dedup key and queues one delivery per enabled
-- channel an enabled matching rule names (rule_id, when set, limits the
-- match to that rule). It notifies the dispatchers when it queued any, and
-- returns how many it queued (0 for an event already recorded).
WITH ev AS (
    INSERT INTO alert_events (team_id, event, dedup_key, summary, subject, links,
                              integration_id, app, task_id, asset, metric, occurred_at)
    VALUES (@team_id, @event, @dedup_key, @summary, @subject, @links,
            sqlc.narg(integration_id), sqlc.narg(app), sqlc.narg(task_id), sqlc.narg(asset), sqlc.narg(metric), @occurred_at)
    ON CONFLICT (team_id, dedup_key) DO NOTHING
    RETURNING id, team_id, event, integration_id, app, task_id, asset, metric
), matched AS (
    SELECT DISTINCT ON (r.channel_id) ev.id AS event_id, ev.team_id, r.channel_id, r.id AS rule_id
    FROM ev
    JOIN alert_rules r ON r.team_id = ev.team_id AND r.event = ev.event AND r.enabled
    JOIN alert_channels c ON c.team_id = ev.team_id AND c.id = r.channel_id AND c.enabled
    WHERE (r.integration_id IS NULL OR r.integration_id = ev.integration_id)
      AND (r.app IS NULL OR r.app = ev.app)
      AND (r.task_id IS NULL OR r.task_id = ev.task_id)
      AND (r.asset IS NULL OR r.asset = ev.asset)
      AND (r.metric IS NULL OR r.metric = ev.metric)
      AND (sqlc.narg(rule_id)::uuid IS NULL OR r.id = sqlc.narg(rule_id)::uuid)
    ORDER BY r.channel_id, r.created_at
), queued AS (
    INSERT INTO alert_deliveries (team_id, event_id, channel_id, rule_id)
    SELECT team_id, event_id, channel_id, rule_id FROM matched
    ON CONFLICT (event_id, channel_id) DO NOTHING
    RETURNING id
)
SELECT count(*)::bigint FROM (SELECT pg_notify('sluice_alerts', '') FROM queued) n;

-- name: AlertDeliveryClaim :many
-- Leases up to max_rows due deliveries of any team to one dispatcher. A
-- delivery whose earlier lease ran out unrecorded was maybe received: that
-- send is counted in resent_unknown.
UPDATE alert_deliveries d
SET lease_until = now() + make_interval(secs => @lease_seconds::double precision),
    attempts = d.attempts + 1,
    resent_unknown = d.resent_unknown + (d.lease_until IS NOT NULL)::integer
FROM (
    SELECT id FROM alert_deliveries
    WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
    ORDER BY next_attempt_at
    LIMIT @max_rows
    FOR UPDATE SKIP LOCKED
) due
WHERE d.id = due.id
RETURNING d.id;

-- name: AlertDeliveryLoad :many
-- What sending each leased delivery needs, its team's channel and event.
SELECT d.id, d.team_id, d.attempts, d.resent_unknown, e.id AS event_id, e.event, e.summary, e.subject, e.links, e.occurred_at,
       c.id AS channel_id, c.kind, c.sealed_config, r.id AS rule_id, coalesce(r.name, '') AS rule_name
FROM alert_deliveries d
JOIN alert_events e ON e.id = d.event_id AND e.team_id = d.team_id
JOIN alert_channels c ON c.id = d.channel_id AND c.team_id = d.team_id
LEFT JOIN alert_rules r ON r.id = d.rule_id AND r.team_id = d.team_id
WHERE d.id = ANY(@ids::bigint[])
ORDER BY d.id;

-- name: AlertDeliveryRecord :exec
-- Records a send's result and releases the lease: delivered, failed for
-- good, or pending again from next_attempt_at.
UPDATE alert_deliveries
SET status = @status, last_status_code = sqlc.narg(last_status_code), last_error = sqlc.narg(last_error),
    next_attempt_at = @next_attempt_at, lease_until = NULL,
    delivered_at = CASE WHEN @status = 'delivered' THEN now() END
WHERE team_id = @team_id AND id = @id;

-- name: AlertDeliveryList :many
-- A channel's newest deliveries with their events.
SELECT d.id, d.event_id, e.event, e.summary, e.occurred_at, d.rule_id, d.status, d.attempts, d.resent_unknown,
       d.last_status_code, d.last_error, d.created_at, d.delivered_at, d.next_attempt_at
FROM alert_deliveries d
JOIN alert_events e ON e.id = d.event_id AND e.team_id = d.team_id
WHERE d.team_id = @team_id AND d.channel_id = @channel_id AND (sqlc.narg(before)::bigint IS NULL OR d.id < sqlc.narg(before)::bigint)
ORDER BY d.id DESC
LIMIT @max_rows;

-- name: AlertStaleSyncs :many
-- Each enabled sync.stale rule with each sync it covers whose last success
-- (or, never having succeeded, whose configuration) is older than its bound.
SELECT r.id AS rule_id, r.team_id, r.stale_hours, i.id AS integration_id, i.name AS integration_name,
       coalesce(last.id::text, '')::text AS last_success_run_id, last.finished_at AS last_success_at, s.created_at AS sync_created_at
FROM alert_rules r
JOIN sync_configs s ON s.team_id = r.team_id AND (r.integration_id IS NULL OR s.integration_id = r.integration_id)
JOIN integrations i ON i.team_id = s.team_id AND i.id = s.integration_id AND i.deleted_at IS NULL
LEFT JOIN LATERAL (
    SELECT sr.id, sr.finished_at FROM sync_runs sr
    WHERE sr.team_id = s.team_id AND sr.integration_id = s.integration_id AND sr.status = 'succeeded'
    ORDER BY sr.finished_at DESC NULLS LAST LIMIT 1
) last ON true
WHERE r.event = 'sync.stale' AND r.enabled AND NOT s.paused AND r.stale_hours IS NOT NULL
  AND coalesce(last.finished_at, s.created_at) < now() - make_interval(hours => r.stale_hours)
ORDER BY r.team_id, r.id, i.id
LIMIT @max_rows;

-- name: AlertTestQueue :one
-- Logs a channel's test message as an event with one delivery, leased to
-- the caller (which sends it at once), so no dispatcher sends it too.
WITH ev AS (
    INSERT INTO alert_events (team_id, event, dedup_key, summary, subject, links, occurred_at)
    VALUES (@team_id, 'test', 'test:' || gen_random_uuid()::text, @summary, @subject, @links, now())
    RETURNING id, team_id
)
INSERT INTO alert_deliveries (team_id, event_id, channel_id, attempts, lease_until)
SELECT ev.team_id, ev.id, c.id, 1, now() + interval '5 minutes'
FROM ev JOIN alert_channels c ON c.team_id = ev.team_id AND c.id = @channel_id
RETURNING id, event_id;
