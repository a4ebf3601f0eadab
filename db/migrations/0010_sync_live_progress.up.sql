-- A running table's rows_read is now written while it copies (every few
-- seconds), and rows_estimate is the source's estimate of the table's rows
-- when the copy started, so a reader can say how much is left.
ALTER TABLE sync_run_tables ADD COLUMN rows_estimate bigint;
