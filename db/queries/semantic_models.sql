-- name: SemanticModelPut :one
-- Stores an integration's model, replacing the previous one. No row comes back when the
-- integration is not the team's (or is deleted).
INSERT INTO semantic_models (team_id, integration_id, source, sha256, summary)
SELECT i.team_id, i.id, sqlc.arg(source), sqlc.arg(sha256), sqlc.arg(summary) FROM integrations i
WHERE i.team_id = $1 AND i.id = $2 AND i.deleted_at IS NULL
ON CONFLICT (integration_id) DO UPDATE
SET source = EXCLUDED.source, sha256 = EXCLUDED.sha256, summary = EXCLUDED.summary, updated_at = now()
RETURNING created_at, updated_at;

-- name: SemanticModelGet :one
SELECT m.source, m.sha256, m.summary, m.created_at, m.updated_at
FROM semantic_models m
JOIN integrations i ON i.id = m.integration_id AND i.deleted_at IS NULL
WHERE m.team_id = $1 AND m.integration_id = $2;
