-- Change data capture: load_method cdc, and per configuration the state of
-- the replication slot and publication it owns on its Postgres source
-- (named from the configuration's id). phase is 'snapshot' until the first
-- copy consistent with the slot is committed, then 'streaming'. applied_lsn
-- is the end of the last transaction whose changes are in the lake: a run
-- after a crash between the lake commit and the slot's advance skips the
-- transactions before it. lag_bytes is the WAL the slot held back when last
-- seen. A run records its slot lag too.
ALTER TABLE sync_configs DROP CONSTRAINT sync_configs_load_method_check;
ALTER TABLE sync_configs ADD CONSTRAINT sync_configs_load_method_check
    CHECK (load_method IN ('merge', 'append', 'overwrite', 'cdc'));

CREATE TABLE cdc_slots (
    config_id        uuid PRIMARY KEY REFERENCES sync_configs (id) ON DELETE CASCADE,
    team_id          uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    slot_name        text NOT NULL,
    publication_name text NOT NULL,
    phase            text NOT NULL CHECK (phase IN ('snapshot', 'streaming')),
    applied_lsn      text,
    lag_bytes        bigint NOT NULL DEFAULT 0,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX cdc_slots_team_idx ON cdc_slots (team_id);

ALTER TABLE sync_runs ADD COLUMN cdc_lag_bytes bigint;
