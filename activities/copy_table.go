package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/lake"
	"github.com/sluice-dev/sluice/netguard"
)

var errNoRows = pgx.ErrNoRows

// ErrTypeNetworkRefused marks a copy whose source address the network policy
// refuses: no retry can reach it.
const ErrTypeNetworkRefused = "NetworkRefused"

// copyChunkRows is how many rows an ordered read delivers between resume
// points unless Syncs.ChunkRows says otherwise.
const copyChunkRows = 500_000

// heartbeatEvery paces progress heartbeats inside a chunk; a copy with a
// heartbeat timeout under three times this beats at a third of the timeout.
const heartbeatEvery = 5 * time.Second

// heartbeatPace is how often a copy heartbeats inside a chunk: often enough
// that its heartbeat timeout never fires while it is making progress.
func heartbeatPace(ctx context.Context) time.Duration {
	if timeout := activity.GetInfo(ctx).HeartbeatTimeout; timeout > 0 && timeout/3 < heartbeatEvery {
		return timeout / 3
	}
	return heartbeatEvery
}

// chunkRows is how many rows this worker's copies read between resume points.
func (a *Syncs) chunkRows() int {
	if a.ChunkRows > 0 {
		return a.ChunkRows
	}
	return copyChunkRows
}

// copyProgress is a CopyTable heartbeat: enough to resume, never rows.
type copyProgress struct {
	Files    []lake.StagedFile `json:"files"`
	After    []any             `json:"after,omitempty"`
	RowsRead int64             `json:"rows_read"`
	// Unsealed are rows read past the staged files: shown as progress, but
	// a retry reads them again, so it starts from RowsRead alone.
	Unsealed  int64 `json:"unsealed,omitempty"`
	BytesRead int64 `json:"bytes_read"`
	MaxCursor any   `json:"max_cursor,omitempty"`
	// Merged, once set, is the table's committed load: a retry goes straight
	// to delete detection, which runs after it.
	Merged *mergedTable `json:"merged,omitempty"`
}

// mergedTable is what a committed load reports to the rest of the copy.
type mergedTable struct {
	Result     lake.CommitResult `json:"result"`
	RowsRead   int64             `json:"rows_read"`
	CursorJSON json.RawMessage   `json:"cursor_json,omitempty"`
	// FullRead says the load read every row of the source (no cursor to
	// start after), so delete detection needs no second read of its keys.
	FullRead bool `json:"full_read,omitempty"`
}

// CopyTable streams one source table into Parquet files and commits them to
// the team's lake as one snapshot. Ordered reads (tables with a primary key)
// heartbeat after every chunk, so a retry after a dead worker resumes from
// the last chunk it finished; the commit is keyed by run and table, so a
// retry never appends twice. A source that sends nothing for two thirds of
// the heartbeat timeout fails the attempt with that stall (see sourceWatch).
func (a *Syncs) CopyTable(ctx context.Context, in CopyTableInput) (CopyTableOutput, error) {
	out, err := a.copyTable(ctx, in)
	return out, permanentCopyError(in.Table.Source.String(), err)
}

func (a *Syncs) copyTable(ctx context.Context, in CopyTableInput) (CopyTableOutput, error) {
	teamID, integrationID, err := parseIDs(in.TeamID, in.IntegrationID)
	if err != nil {
		return CopyTableOutput{}, err
	}
	runID, err := uuid.Parse(in.RunID)
	if err != nil {
		return CopyTableOutput{}, temporal.NewNonRetryableApplicationError("bad run id", ErrTypeRunGone, nil)
	}
	table := in.Table.Source.String()
	// Beats from the start to the end of the attempt, repeating the last
	// progress through steps that report none (opening the source, the
	// commit, delete detection): a large table's commit outlasts the
	// heartbeat timeout, and a silent attempt would be timed out and retried.
	progress := resumeProgress(ctx, func(f lake.StagedFile) bool { return a.Lakes.HasStaged(ctx, teamID, f) })
	beats := startCopyBeats(ctx, progress)
	defer beats.stop()
	q := a.queries()
	if err := q.SyncRunTableStart(ctx, db.SyncRunTableStartParams{TeamID: teamID, RunID: runID, SourceTable: table}); err != nil {
		return CopyTableOutput{}, fmt.Errorf("mark %s running: %w", table, err)
	}
	live := a.startLiveProgress(ctx, beats, teamID, runID, table)
	defer live.stop()
	src, err := a.openCopySource(ctx, teamID, integrationID, in)
	if err != nil {
		return CopyTableOutput{}, err
	}
	defer src.close(ctx)
	merged := progress.Merged
	if merged == nil {
		m, err := a.loadTable(ctx, beats, in, teamID, src.source, src.watch, src.lk, src.cols, progress, "")
		if err != nil {
			return CopyTableOutput{}, err
		}
		merged = &m
	}
	deleted, err := a.detectDeletes(ctx, beats, in, src.source, src.lk, src.cols, merged)
	if err != nil {
		return CopyTableOutput{}, err
	}
	res, rowsRead, snapshot := merged.Result, merged.RowsRead, max(merged.Result.SnapshotID, deleted.SnapshotID)
	if err := q.SyncRunTableSucceed(ctx, db.SyncRunTableSucceedParams{
		TeamID: teamID, RunID: runID, SourceTable: table, RowsRead: rowsRead, RowsWritten: res.RowsWritten,
		BytesWritten: res.BytesWritten, SnapshotID: &snapshot, CursorAfter: merged.CursorJSON,
	}); err != nil {
		return CopyTableOutput{}, fmt.Errorf("record %s: %w", table, err)
	}
	return CopyTableOutput{RowsRead: rowsRead, RowsWritten: res.RowsWritten, BytesWritten: res.BytesWritten, SnapshotID: snapshot,
		RowsDeleted: deleted.Deleted, RowsRestored: deleted.Restored}, nil
}

// copySource is what a copy attempt opened: the source, its columns and the
// team's lake.
type copySource struct {
	source  sourceTable
	closeFn func(context.Context) error
	watch   *sourceWatch
	cols    []connectors.Column
	lk      *lake.Lake
}

// openCopySource checks the sync still owns the table, opens the source,
// describes the table and opens the team's lake. The caller closes it.
func (a *Syncs) openCopySource(ctx context.Context, teamID, integrationID uuid.UUID, in CopyTableInput) (*copySource, error) {
	if err := a.checkOwner(ctx, teamID, integrationID, in); err != nil {
		return nil, err
	}
	sealed, err := a.sealedIntegration(ctx, teamID, integrationID)
	if err != nil {
		return nil, err
	}
	source, closeFn, err := OpenConnector[sourceTable](ctx, a.Keyring, sealed)
	if err != nil {
		return nil, err
	}
	src := &copySource{source: source, closeFn: closeFn, watch: watchSource(ctx)}
	if src.cols, err = source.Columns(src.watch.ctx, in.Table.Source); err != nil {
		err = src.watch.explain("describe "+in.Table.Source.String(), err)
		src.close(ctx)
		return nil, err
	}
	src.watch.pause()
	if src.lk, err = a.teamLake(ctx, teamID); err != nil {
		src.close(ctx)
		return nil, err
	}
	return src, nil
}

// close stops watching the source and closes it.
func (s *copySource) close(ctx context.Context) {
	s.watch.stop()
	_ = s.closeFn(context.WithoutCancel(ctx))
}

// loadTable reads the table from the source into staged files (or takes
// the files its key ranges staged), commits them and saves the cursor:
// everything of a copy but delete detection. A snapshot, when set, is the
// exported source snapshot to read in.
func (a *Syncs) loadTable(ctx context.Context, beats *copyBeats, in CopyTableInput, teamID uuid.UUID, source sourceTable, watch *sourceWatch, lk *lake.Lake, cols []connectors.Column, progress copyProgress, snapshot string) (mergedTable, error) {
	if in.Staged != nil {
		return a.commitLoad(ctx, in, teamID, lk, cols, joinRanges(in.Staged))
	}
	cursorAfter, err := a.cursorValue(ctx, teamID, in.ConfigID, in.Table)
	if err != nil {
		return mergedTable{}, err
	}
	if cursorAfter == nil && progress.RowsRead == 0 {
		a.recordEstimate(watch.ctx, source, teamID, in)
	}
	req := connectors.ReadRequest{
		Table: in.Table.Source, Columns: cols, CursorField: in.Table.CursorField, CursorAfter: cursorAfter,
		OrderBy: in.Table.PrimaryKeys, ResumeAfter: progress.After, ChunkRows: a.chunkRows(), Snapshot: snapshot,
	}
	staged, err := a.stageRows(ctx, beats, in, source, watch, lk, cols, progress, req)
	if err != nil {
		return mergedTable{}, err
	}
	return a.commitLoad(ctx, in, teamID, lk, cols, staged)
}

// stageRows reads req from the source into staged files, resuming from
// progress, and returns them uncommitted.
func (a *Syncs) stageRows(ctx context.Context, beats *copyBeats, in CopyTableInput, source sourceTable, watch *sourceWatch, lk *lake.Lake, cols []connectors.Column, progress copyProgress, req connectors.ReadRequest) (CopyTableRangeOutput, error) {
	sink, err := newLakeSink(ctx, beats, lk, in.DestSchema, in.Table.DestTable, cols, in.Table.PrimaryKeys, in.Table.CursorField, progress)
	if err != nil {
		return CopyTableRangeOutput{}, err
	}
	defer sink.abort()
	watch.resume()
	stats, err := source.Read(watch.ctx, req, watchedSink{sink: sink, watch: watch})
	if err != nil {
		return CopyTableRangeOutput{}, watch.explain("copy "+in.Table.Source.String(), err)
	}
	watch.stop()
	files, err := sink.finish(ctx)
	if err != nil {
		return CopyTableRangeOutput{}, err
	}
	return CopyTableRangeOutput{Files: files, RowsRead: progress.RowsRead + stats.Rows,
		MaxCursor: laterCursor(sink.progress.MaxCursor, stats.MaxCursor), FullRead: req.CursorAfter == nil}, nil
}

// commitLoad commits staged files as the table's one snapshot of the run
// (keyed by run and table, so a retry never commits twice) and saves the
// cursor.
func (a *Syncs) commitLoad(ctx context.Context, in CopyTableInput, teamID uuid.UUID, lk *lake.Lake, cols []connectors.Column, staged CopyTableRangeOutput) (mergedTable, error) {
	table := in.Table.Source.String()
	res, err := lk.Commit(ctx, lake.CommitRequest{
		Schema: in.DestSchema, Table: in.Table.DestTable, Columns: cols, Method: lake.LoadMethod(in.LoadMethod),
		PrimaryKeys: in.Table.PrimaryKeys, Files: staged.Files, IdempotencyKey: in.RunID + "/" + table,
	})
	if err != nil {
		return mergedTable{}, commitError(table, err)
	}
	cursorJSON, err := a.saveCursor(ctx, teamID, in.ConfigID, in.Table, staged.MaxCursor)
	if err != nil {
		return mergedTable{}, err
	}
	return mergedTable{Result: res, RowsRead: staged.RowsRead, CursorJSON: cursorJSON, FullRead: staged.FullRead}, nil
}

// joinRanges is every range's files, rows and greatest cursor as one load.
func joinRanges(ranges []CopyTableRangeOutput) CopyTableRangeOutput {
	out := CopyTableRangeOutput{FullRead: true}
	for _, r := range ranges {
		out.Files = append(out.Files, r.Files...)
		out.RowsRead += r.RowsRead
		out.MaxCursor = laterCursor(out.MaxCursor, r.MaxCursor)
		out.FullRead = out.FullRead && r.FullRead
	}
	return out
}

// sourceTable is what CopyTable needs of a source.
type sourceTable interface {
	connectors.Discoverer
	connectors.Reader
}

// resumeProgress returns the last heartbeat of a previous attempt, keeping
// it only if every staged file it names is still there (staged: on disk, or
// on object storage in the bucket, whichever machine staged it).
func resumeProgress(ctx context.Context, staged func(lake.StagedFile) bool) copyProgress {
	var p copyProgress
	if !activity.HasHeartbeatDetails(ctx) || activity.GetHeartbeatDetails(ctx, &p) != nil {
		return copyProgress{}
	}
	for _, f := range p.Files {
		if !staged(f) {
			return copyProgress{} // another machine's disk, or cleaned up: start over
		}
	}
	p.Unsealed = 0 // read again from the last staged file on
	return p
}

// commitError names the table whose commit failed.
func commitError(table string, err error) error {
	return fmt.Errorf("commit %s: %w", table, err)
}

// permanentCopyError makes the failures retrying cannot fix fail the table
// at once, wherever in the copy they surface: an incompatible schema change
// (found when the writer is planned or at commit), a value the lake column
// cannot hold and an address the network policy refuses. Other errors are
// returned as they are.
func permanentCopyError(table string, err error) error {
	var app *temporal.ApplicationError
	if err == nil || errors.As(err, &app) {
		return err
	}
	var sc *lake.SchemaChangeError
	var ve *lake.ValueError
	switch {
	case errors.As(err, &sc):
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s: %v", table, sc), ErrTypeSchemaChange, nil)
	case errors.As(err, &ve):
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s: %v", table, ve), ErrTypeValue, nil)
	case errors.Is(err, netguard.ErrRefused):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeNetworkRefused, nil)
	}
	return err
}

// cursorValue is the table's incremental cursor from the last successful run.
func (a *Syncs) cursorValue(ctx context.Context, teamID uuid.UUID, configID string, tp TablePlan) (any, error) {
	raw := a.cursorJSON(ctx, teamID, configID, tp)
	if raw == nil {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("decode cursor of %s: %w", tp.Source, err)
	}
	return v, nil
}

func (a *Syncs) cursorJSON(ctx context.Context, teamID uuid.UUID, configID string, tp TablePlan) []byte {
	cfgID, err := uuid.Parse(configID)
	if tp.CursorField == "" || err != nil {
		return nil
	}
	raw, err := a.queries().SyncCursorGet(ctx, db.SyncCursorGetParams{TeamID: teamID, ConfigID: cfgID, SourceTable: tp.Source.String(), CursorField: tp.CursorField})
	if err != nil {
		return nil
	}
	return raw
}

// saveCursor stores the greatest cursor value copied, for the next run.
func (a *Syncs) saveCursor(ctx context.Context, teamID uuid.UUID, configID string, tp TablePlan, value any) ([]byte, error) {
	cfgID, err := uuid.Parse(configID)
	if tp.CursorField == "" || value == nil || err != nil {
		return nil, nil
	}
	raw, err := json.Marshal(value)
	if err != nil {
		return nil, fmt.Errorf("encode cursor: %w", err)
	}
	err = a.queries().SyncCursorPut(ctx, db.SyncCursorPutParams{TeamID: teamID, ConfigID: cfgID, SourceTable: tp.Source.String(), CursorField: tp.CursorField, Value: raw})
	if err != nil {
		return nil, fmt.Errorf("save cursor of %s: %w", tp.Source, err)
	}
	return raw, nil
}

func laterCursor(a, b any) any {
	if b != nil && connectors.CursorGreater(b, a) {
		return b
	}
	return a
}
