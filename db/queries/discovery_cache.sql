-- name: DiscoveryCacheGet :one
-- Returns a cached discovery result fetched after fresh_after.
SELECT payload, fetched_at FROM discovery_cache
WHERE team_id = $1 AND integration_id = $2 AND scope = $3
  AND fetched_at > sqlc.arg(fresh_after)::timestamptz;

-- name: DiscoveryCachePut :exec
INSERT INTO discovery_cache (team_id, integration_id, scope, payload)
SELECT i.team_id, i.id, $3, $4 FROM integrations i
WHERE i.team_id = $1 AND i.id = $2 AND i.deleted_at IS NULL
ON CONFLICT (integration_id, scope) DO UPDATE SET payload = EXCLUDED.payload, fetched_at = now();

-- name: DiscoveryCacheClear :exec
-- Forgets everything discovered about an integration (its credentials changed).
DELETE FROM discovery_cache WHERE team_id = $1 AND integration_id = $2;
