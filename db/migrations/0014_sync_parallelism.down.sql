ALTER TABLE sync_run_tables DROP COLUMN range_rows;
ALTER TABLE sync_configs DROP COLUMN table_parallelism, DROP COLUMN split_rows;
