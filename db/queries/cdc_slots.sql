-- name: CDCSlotGet :one
SELECT * FROM cdc_slots WHERE team_id = $1 AND config_id = $2;

-- name: CDCSlotStartSnapshot :exec
-- Records that a fresh slot is being created and the tables copied in its
-- snapshot; nothing is applied from the slot until CDCSlotStreaming.
INSERT INTO cdc_slots (config_id, team_id, slot_name, publication_name, phase)
SELECT c.id, c.team_id, $3, $4, 'snapshot' FROM sync_configs c WHERE c.team_id = $1 AND c.id = $2
ON CONFLICT (config_id) DO UPDATE SET phase = 'snapshot', applied_lsn = NULL, slot_name = EXCLUDED.slot_name,
    publication_name = EXCLUDED.publication_name, updated_at = now()
WHERE cdc_slots.team_id = EXCLUDED.team_id;

-- name: CDCSlotApplied :exec
-- Records the end of the last transaction in the lake (the slot's
-- consistent point after a snapshot) and the slot's lag.
UPDATE cdc_slots SET phase = 'streaming', applied_lsn = $3, lag_bytes = $4, updated_at = now()
WHERE team_id = $1 AND config_id = $2;

-- name: CDCSlotLagAll :many
-- Every slot's last seen lag, for the metrics endpoint.
SELECT team_id, config_id, slot_name, lag_bytes, updated_at FROM cdc_slots ORDER BY config_id;

-- name: SyncRunSetCDCLag :exec
UPDATE sync_runs SET cdc_lag_bytes = $3 WHERE team_id = $1 AND id = $2;

-- name: CDCSlotReset :exec
-- Forgets a configuration's slot state, so its next run takes a fresh
-- snapshot (its tables changed).
DELETE FROM cdc_slots WHERE team_id = $1 AND config_id = $2;

-- name: CDCSlotSetLag :exec
UPDATE cdc_slots SET lag_bytes = $3, updated_at = now() WHERE team_id = $1 AND config_id = $2;
