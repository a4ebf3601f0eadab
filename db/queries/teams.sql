-- name: TeamGetByName :one
SELECT * FROM teams WHERE name = $1;

-- name: TeamUpsert :one
-- Creates the team if it is missing and returns it either way.
INSERT INTO teams (name) VALUES ($1)
ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
RETURNING *;
