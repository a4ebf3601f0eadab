-- name: APITokenCreate :one
INSERT INTO api_tokens (team_id, name, token_hash, prefix, expires_at)
VALUES ($1, $2, $3, $4, $5)
RETURNING id, team_id, name, prefix, created_at, expires_at;

-- name: APITokenGetByHash :one
-- Resolves a presented token (by its SHA-256) to its team. An expired token
-- matches nothing, exactly like a revoked (deleted) one.
SELECT id, team_id, last_used_at FROM api_tokens
WHERE token_hash = $1 AND (expires_at IS NULL OR expires_at > now());

-- name: APITokenTouch :exec
-- Records that a token was used; callers skip it when the last record is recent,
-- and the condition repeats that check so concurrent requests do not all write.
UPDATE api_tokens SET last_used_at = now()
WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');

-- name: APITokenList :many
-- Lists a team's tokens without their hashes, newest first.
SELECT id, name, prefix, created_at, last_used_at, expires_at FROM api_tokens
WHERE team_id = $1
ORDER BY created_at DESC, id;

-- name: APITokenDelete :execrows
-- Revokes one of a team's tokens; another team's id deletes nothing.
DELETE FROM api_tokens WHERE team_id = $1 AND id = $2;
