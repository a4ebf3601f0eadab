-- name: IntegrationCreate :one
INSERT INTO integrations (id, team_id, type, name, config, sealed_secrets, secret_fields, status, validated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING *;

-- name: IntegrationGet :one
SELECT * FROM integrations
WHERE team_id = $1 AND id = $2 AND deleted_at IS NULL;

-- name: IntegrationList :many
-- Lists a team's live integrations, newest first, optionally of one type.
SELECT * FROM integrations
WHERE team_id = $1
  AND deleted_at IS NULL
  AND (sqlc.narg('type')::text IS NULL OR type = sqlc.narg('type')::text)
ORDER BY created_at DESC, id;

-- name: IntegrationUpdate :one
UPDATE integrations
SET name = $3, config = $4, sealed_secrets = $5, secret_fields = $6, status = $7, validated_at = $8, updated_at = now()
WHERE team_id = $1 AND id = $2 AND deleted_at IS NULL
RETURNING *;

-- name: IntegrationSoftDelete :one
-- Soft-deletes an integration: the row stays for history, its secrets are erased so
-- they can never be used again.
UPDATE integrations
SET deleted_at = now(), updated_at = now(), sealed_secrets = NULL, secret_fields = '{}', status = 'deleted'
WHERE team_id = $1 AND id = $2 AND deleted_at IS NULL
RETURNING id;

-- name: IntegrationCreateLake :exec
-- Creates the team's lake integration unless it has one.
INSERT INTO integrations (team_id, type, name, config, status, validated_at)
VALUES ($1, 'ducklake', 'Lake', $2, 'active', now())
ON CONFLICT (team_id) WHERE type = 'ducklake' AND deleted_at IS NULL DO NOTHING;

-- name: IntegrationGetLake :one
SELECT * FROM integrations WHERE team_id = $1 AND type = 'ducklake' AND deleted_at IS NULL;
