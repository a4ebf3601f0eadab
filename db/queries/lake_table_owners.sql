-- name: LakeTableClaim :one
-- Claims a lake table for a sync configuration, or finds who owns it: it
-- returns the owner either way. A claim racing another for the same table
-- waits for it on the unique index and then returns the winner.
INSERT INTO lake_table_owners (team_id, dest_schema, dest_table, config_id, integration_id, source_table)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (team_id, lower(dest_schema), dest_table) DO UPDATE SET config_id = lake_table_owners.config_id
RETURNING *;

-- name: LakeTableListByConfig :many
-- The lake tables a sync configuration owns.
SELECT * FROM lake_table_owners WHERE team_id = $1 AND config_id = $2 ORDER BY dest_schema, dest_table;

-- name: LakeTableRelease :exec
-- Releases tables a configuration no longer writes (the lake keeps them).
DELETE FROM lake_table_owners
WHERE team_id = $1 AND config_id = $2 AND dest_schema = $3 AND dest_table = ANY(@dest_tables::text[]);
