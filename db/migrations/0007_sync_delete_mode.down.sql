ALTER TABLE sync_configs DROP COLUMN delete_mode;
