-- Every lake table (<dest_schema>.<table> of a team's lake) is written by
-- exactly one sync configuration: its owner. A configuration claims its
-- exact tables when it is saved and the tables its globs select when a run
-- plans them; the unique index makes a claim atomic, so two configurations
-- (or two runs) can never both own a table. Schema names are compared
-- lower-cased because DuckDB resolves identifiers case-insensitively.
-- Deleting the configuration releases its tables (the lake keeps them).
CREATE TABLE lake_table_owners (
    team_id        uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    dest_schema    text NOT NULL,
    dest_table     text NOT NULL,
    config_id      uuid NOT NULL REFERENCES sync_configs (id) ON DELETE CASCADE,
    integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    -- source_table is the "schema.table" the owner copies into it.
    source_table   text NOT NULL,
    claimed_at     timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX lake_table_owners_table_idx ON lake_table_owners (team_id, lower(dest_schema), dest_table);
CREATE INDEX lake_table_owners_config_idx ON lake_table_owners (config_id);

-- Backfill: the tables each stored configuration names exactly, and those
-- its runs under its current dest_schema have written. Where configurations
-- overlap, the oldest keeps the table; the later one's runs then fail that
-- table. Nothing in the lake is touched. The dest-name rule is
-- syncspec.DestTableName's: lower case, [^a-z0-9_] to '_', 't_' before a digit.
WITH named AS (
    SELECT c.id AS config_id, c.team_id, c.integration_id, c.dest_schema, c.created_at,
           CASE jsonb_typeof(e) WHEN 'string' THEN e #>> '{}' ELSE e ->> 'name' END AS source_table
    FROM sync_configs c, jsonb_array_elements(c.tables) e
), exact AS (
    SELECT config_id, team_id, integration_id, dest_schema, created_at, source_table,
           regexp_replace(lower(substr(source_table, strpos(source_table, '.') + 1)), '[^a-z0-9_]', '_', 'g') AS name
    FROM named
    WHERE strpos(source_table, '.') > 1 AND substr(source_table, strpos(source_table, '.') + 1) !~ '[*?[]'
), written AS (
    SELECT DISTINCT c.id AS config_id, c.team_id, c.integration_id, c.dest_schema, c.created_at, t.source_table,
           substr(t.dest_table, strpos(t.dest_table, '.') + 1) AS name
    FROM sync_run_tables t
    JOIN sync_runs r ON r.id = t.run_id AND r.team_id = t.team_id
    JOIN sync_configs c ON c.id = r.config_id AND c.team_id = r.team_id
    WHERE t.status = 'succeeded' AND lower(split_part(t.dest_table, '.', 1)) = lower(c.dest_schema)
), candidates AS (
    SELECT config_id, team_id, integration_id, dest_schema, created_at, source_table,
           left(CASE WHEN name = '' OR name ~ '^[0-9]' THEN 't_' || name ELSE name END, 63) AS dest_table
    FROM exact
    UNION ALL
    SELECT config_id, team_id, integration_id, dest_schema, created_at, source_table, name FROM written
)
INSERT INTO lake_table_owners (team_id, dest_schema, dest_table, config_id, integration_id, source_table)
SELECT DISTINCT ON (team_id, lower(dest_schema), dest_table)
       team_id, dest_schema, dest_table, config_id, integration_id, source_table
FROM candidates
ORDER BY team_id, lower(dest_schema), dest_table, created_at, config_id;
