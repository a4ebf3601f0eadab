ALTER TABLE sync_runs DROP COLUMN cdc_lag_bytes;
DROP TABLE cdc_slots;
DELETE FROM sync_configs WHERE load_method = 'cdc';
ALTER TABLE sync_configs DROP CONSTRAINT sync_configs_load_method_check;
ALTER TABLE sync_configs ADD CONSTRAINT sync_configs_load_method_check
    CHECK (load_method IN ('merge', 'append', 'overwrite'));
