DROP TABLE IF EXISTS sync_cursors;
DROP TABLE IF EXISTS sync_run_tables;
DROP TABLE IF EXISTS sync_runs;
DROP TABLE IF EXISTS sync_configs;
DROP INDEX IF EXISTS integrations_one_lake_idx;
