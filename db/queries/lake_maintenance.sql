-- name: LakeTableOwnerListByTeam :many
-- The owner (sync configuration and its integration) of every lake table of
-- a team, for browsing the lake.
SELECT o.dest_schema, o.dest_table, o.config_id, o.integration_id, i.name AS integration_name
FROM lake_table_owners o
JOIN integrations i ON i.id = o.integration_id AND i.team_id = o.team_id
WHERE o.team_id = $1;

-- name: LakeTeamList :many
-- Every team that has a lake, for creating their maintenance schedules.
SELECT t.id, t.name FROM teams t
WHERE EXISTS (SELECT 1 FROM integrations i WHERE i.team_id = t.id AND i.type = 'ducklake' AND i.deleted_at IS NULL)
ORDER BY t.id;
