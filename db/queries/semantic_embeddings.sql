-- name: EmbeddingStateRequest :one
-- Marks an integration's embeddings as wanted. No row comes back when a run is already
-- pending or running (it will see the latest schema) or the integration is not the team's.
INSERT INTO schema_embedding_state (team_id, integration_id, status, reason)
SELECT i.team_id, i.id, 'pending', sqlc.arg(reason) FROM integrations i
WHERE i.team_id = $1 AND i.id = $2 AND i.deleted_at IS NULL
ON CONFLICT (integration_id) DO UPDATE
SET status = 'pending', reason = EXCLUDED.reason, error = NULL, requested_at = now(), updated_at = now()
WHERE schema_embedding_state.status NOT IN ('pending', 'running')
RETURNING *;

-- name: EmbeddingStateStart :exec
UPDATE schema_embedding_state
SET status = 'running', provider = $3, model = $4, tables_total = $5, tables_done = sqlc.arg(tables_done),
    started_at = coalesce(started_at, now()), error = NULL, updated_at = now()
WHERE team_id = $1 AND integration_id = $2;

-- name: EmbeddingStateProgress :exec
UPDATE schema_embedding_state SET tables_done = $3, updated_at = now()
WHERE team_id = $1 AND integration_id = $2;

-- name: EmbeddingStateReady :exec
UPDATE schema_embedding_state
SET status = 'ready', schema_hash = $3, tables_embedded = $4, columns_embedded = $5, tables_done = $4,
    embedded_at = now(), started_at = NULL, error = NULL, updated_at = now()
WHERE team_id = $1 AND integration_id = $2;

-- name: EmbeddingStateFailed :exec
UPDATE schema_embedding_state SET status = 'failed', error = $3, started_at = NULL, updated_at = now()
WHERE team_id = $1 AND integration_id = $2;

-- name: EmbeddingStateGet :one
SELECT * FROM schema_embedding_state WHERE team_id = $1 AND integration_id = $2;

-- name: EmbeddingStateList :many
SELECT * FROM schema_embedding_state
WHERE team_id = $1 AND integration_id = ANY(sqlc.arg(integration_ids)::uuid[]);

-- name: SchemaEmbeddingDeleteTable :exec
-- Forgets one table's vectors before its new ones are written.
DELETE FROM schema_embeddings
WHERE team_id = $1 AND integration_id = $2 AND table_schema = $3 AND table_name = $4;

-- name: SchemaEmbeddingInsert :copyfrom
INSERT INTO schema_embeddings (team_id, integration_id, table_schema, table_name, column_name, document, detail, vector, model, generation)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: SchemaEmbeddingPrune :execrows
-- Drops the vectors of tables the latest run did not see (they were dropped or renamed).
DELETE FROM schema_embeddings WHERE team_id = $1 AND integration_id = $2 AND generation <> $3;

-- name: SchemaEmbeddingVectors :many
SELECT table_schema, table_name, column_name, vector, model
FROM schema_embeddings WHERE team_id = $1 AND integration_id = $2;

-- name: SchemaEmbeddingTables :many
-- Returns the named tables' rows with their column detail, for AI SQL prompts.
SELECT table_schema, table_name, detail
FROM schema_embeddings
WHERE team_id = $1 AND integration_id = $2 AND column_name = ''
  AND (table_schema || '.' || table_name) = ANY(sqlc.arg(tables)::text[]);

-- name: SchemaEmbeddingCounts :one
-- Counts the tables and columns a run embedded.
SELECT count(*) FILTER (WHERE column_name = '')::int AS tables,
       count(*) FILTER (WHERE column_name <> '')::int AS columns
FROM schema_embeddings WHERE team_id = $1 AND integration_id = $2 AND generation = $3;
