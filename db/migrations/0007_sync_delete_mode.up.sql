-- What a merge does with lake rows whose primary key the source no longer
-- has: keep them (all a merge did before), delete them (hard), or mark them
-- in _sluice_deleted_at (soft). The default backfills every configuration
-- stored before with keep, so none changes behaviour; the service gives new
-- merge configurations soft. A table entry in tables may override it with
-- its own delete_mode.
ALTER TABLE sync_configs ADD COLUMN delete_mode text NOT NULL DEFAULT 'keep'
    CHECK (delete_mode IN ('keep', 'hard', 'soft'));
