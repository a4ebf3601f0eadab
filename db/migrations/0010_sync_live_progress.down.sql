ALTER TABLE sync_run_tables DROP COLUMN rows_estimate;
