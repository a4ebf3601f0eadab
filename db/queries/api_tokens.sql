-- name: APITokenCreate :one
INSERT INTO api_tokens (team_id, name, token_hash)
VALUES ($1, $2, $3)
RETURNING id, team_id, name, created_at;

-- name: APITokenGetByHash :one
-- Resolves a presented token (by its SHA-256) to its team.
SELECT id, team_id, last_used_at FROM api_tokens WHERE token_hash = $1;

-- name: APITokenTouch :exec
-- Records that a token was used; callers skip it when the last record is recent,
-- so authentication does not write on every request.
UPDATE api_tokens SET last_used_at = now() WHERE id = $1;
