package activities

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/lake"
)

// CopyTableRange stages one key range of a table planned as ranges (see
// planKeyRanges) as Parquet files and returns them uncommitted; CopyTable
// commits every range's files as one snapshot once all are staged. Each
// range is its own activity, so ranges copy on any worker at once and a
// failed range is retried alone, resuming from its last chunk as CopyTable
// does. The ranges share the lake's data path, so every worker must see
// the same lake storage.
func (a *Syncs) CopyTableRange(ctx context.Context, in CopyTableRangeInput) (CopyTableRangeOutput, error) {
	out, err := a.copyTableRange(ctx, in)
	return out, permanentCopyError(fmt.Sprintf("%s range %d", in.Copy.Table.Source, in.Range), err)
}

func (a *Syncs) copyTableRange(ctx context.Context, in CopyTableRangeInput) (CopyTableRangeOutput, error) {
	cp := in.Copy
	if len(cp.Table.PrimaryKeys) != 1 {
		return CopyTableRangeOutput{}, fmt.Errorf("copy %s: key ranges need one key column, the plan has %d", cp.Table.Source, len(cp.Table.PrimaryKeys))
	}
	teamID, integrationID, err := parseIDs(cp.TeamID, cp.IntegrationID)
	if err != nil {
		return CopyTableRangeOutput{}, err
	}
	_, runID, err := parseIDs(cp.TeamID, cp.RunID)
	if err != nil {
		return CopyTableRangeOutput{}, err
	}
	progress := resumeProgress(ctx, func(f lake.StagedFile) bool { return a.Lakes.HasStaged(ctx, teamID, f) })
	beats := startCopyBeats(ctx, progress)
	defer beats.stop()
	table := cp.Table.Source.String()
	if err := a.queries().SyncRunTableRunning(ctx, db.SyncRunTableRunningParams{TeamID: teamID, RunID: runID, SourceTable: table}); err != nil {
		return CopyTableRangeOutput{}, fmt.Errorf("mark %s running: %w", table, err)
	}
	live := a.startRangeProgress(ctx, beats, teamID, runID, table, in.Range)
	defer live.stop()
	src, err := a.openCopySource(ctx, teamID, integrationID, cp)
	if err != nil {
		return CopyTableRangeOutput{}, err
	}
	defer src.close(ctx)
	cursorAfter, err := a.cursorValue(ctx, teamID, cp.ConfigID, cp.Table)
	if err != nil {
		return CopyTableRangeOutput{}, err
	}
	if in.Range == 0 && cursorAfter == nil && progress.RowsRead == 0 {
		a.recordEstimate(src.watch.ctx, src.source, teamID, cp)
	}
	req := connectors.ReadRequest{
		Table: cp.Table.Source, Columns: src.cols, CursorField: cp.Table.CursorField, CursorAfter: cursorAfter,
		OrderBy: cp.Table.PrimaryKeys, ResumeAfter: progress.After, ChunkRows: a.chunkRows(),
	}
	if req.ResumeAfter == nil && in.Bounds.After != nil {
		req.ResumeAfter = []any{*in.Bounds.After}
	}
	if in.Bounds.UpTo != nil {
		req.UpTo = []any{*in.Bounds.UpTo}
	}
	staged, err := a.stageRows(ctx, beats, cp, src.source, src.watch, src.lk, src.cols, progress, req)
	if err != nil {
		return CopyTableRangeOutput{}, err
	}
	live.stop()
	// The range's final count, so the table's sum is exact while the
	// other ranges go on; a failure only leaves the display behind.
	_ = a.writeRangeRows(ctx, teamID, runID, table, in.Range, staged.RowsRead)
	return staged, nil
}

// DiscardStagedFiles removes files staged for a table that will not be
// committed, because another of its ranges failed for good. Only files
// under the team's lake are removed; a file already gone is fine. Files a
// failed range staged before it failed are not known here: the orphan
// cleanup at the end of a later run removes them after its grace period.
func (a *Syncs) DiscardStagedFiles(ctx context.Context, in DiscardStagedInput) error {
	teamID, err := uuid.Parse(in.TeamID)
	if err != nil {
		return fmt.Errorf("discard staged files: bad team id: %w", err)
	}
	lk, err := a.teamLake(ctx, teamID)
	if err != nil {
		return err
	}
	lk.RemoveStaged(ctx, in.Files)
	return nil
}
