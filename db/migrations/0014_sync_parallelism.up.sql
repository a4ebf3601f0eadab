-- How a sync's runs spread their work. table_parallelism is how many copy
-- activities of one run (whole tables or key ranges of one) run at once;
-- 0 takes the worker's SLUICE_SYNC_TABLE_PARALLELISM. split_rows is the
-- estimated size above which a table with one integer primary key is copied
-- as key ranges by separate activities; NULL takes the default, 0 never
-- splits. Every configuration stored before keeps today's behaviour.
ALTER TABLE sync_configs
    ADD COLUMN table_parallelism int NOT NULL DEFAULT 0 CHECK (table_parallelism BETWEEN 0 AND 32),
    ADD COLUMN split_rows bigint CHECK (split_rows >= 0);

-- A table copied as key ranges shows each range's rows read so far, keyed
-- by range index ({"0": 500000, "1": 20000}); rows_read is their sum while
-- it runs. NULL for a table copied whole.
ALTER TABLE sync_run_tables ADD COLUMN range_rows jsonb;
