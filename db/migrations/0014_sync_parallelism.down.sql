ALTER TABLE sync_configs DROP COLUMN table_parallelism, DROP COLUMN split_rows;
