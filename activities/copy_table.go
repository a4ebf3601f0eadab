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
	if err := a.checkOwner(ctx, teamID, integrationID, in); err != nil {
		return CopyTableOutput{}, err
	}
	sealed, err := a.sealedIntegration(ctx, teamID, integrationID)
	if err != nil {
		return CopyTableOutput{}, err
	}
	source, closeFn, err := OpenConnector[sourceTable](ctx, a.Keyring, sealed)
	if err != nil {
		return CopyTableOutput{}, err
	}
	defer closeFn(context.WithoutCancel(ctx))
	watch := watchSource(ctx)
	defer watch.stop()
	cols, err := source.Columns(watch.ctx, in.Table.Source)
	if err != nil {
		return CopyTableOutput{}, watch.explain("describe "+table, err)
	}
	watch.pause()
	lk, err := a.teamLake(ctx, teamID)
	if err != nil {
		return CopyTableOutput{}, err
	}
	merged := progress.Merged
	if merged == nil {
		m, err := a.loadTable(ctx, beats, in, teamID, source, watch, lk, cols, progress, "")
		if err != nil {
			return CopyTableOutput{}, err
		}
		merged = &m
	}
	deleted, err := a.detectDeletes(ctx, beats, in, source, lk, cols, merged)
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

// loadTable reads the table from the source into staged files, commits them
// and saves the cursor: everything of a copy but delete detection. A
// snapshot, when set, is the exported source snapshot to read in.
func (a *Syncs) loadTable(ctx context.Context, beats *copyBeats, in CopyTableInput, teamID uuid.UUID, source sourceTable, watch *sourceWatch, lk *lake.Lake, cols []connectors.Column, progress copyProgress, snapshot string) (mergedTable, error) {
	table := in.Table.Source.String()
	cursorAfter, err := a.cursorValue(ctx, teamID, in.ConfigID, in.Table)
	if err != nil {
		return mergedTable{}, err
	}
	if cursorAfter == nil && progress.RowsRead == 0 {
		a.recordEstimate(watch.ctx, source, teamID, in)
	}
	sink, err := newLakeSink(ctx, beats, lk, in.DestSchema, in.Table.DestTable, cols, in.Table.PrimaryKeys, in.Table.CursorField, progress)
	if err != nil {
		return mergedTable{}, err
	}
	defer sink.abort()
	req := connectors.ReadRequest{
		Table: in.Table.Source, Columns: cols, CursorField: in.Table.CursorField, CursorAfter: cursorAfter,
		OrderBy: in.Table.PrimaryKeys, ResumeAfter: progress.After, ChunkRows: a.chunkRows(), Snapshot: snapshot,
	}
	watch.resume()
	stats, err := source.Read(watch.ctx, req, watchedSink{sink: sink, watch: watch})
	if err != nil {
		return mergedTable{}, watch.explain("copy "+table, err)
	}
	watch.stop()
	files, err := sink.finish(ctx)
	if err != nil {
		return mergedTable{}, err
	}
	res, err := lk.Commit(ctx, lake.CommitRequest{
		Schema: in.DestSchema, Table: in.Table.DestTable, Columns: cols, Method: lake.LoadMethod(in.LoadMethod),
		PrimaryKeys: in.Table.PrimaryKeys, Files: files, IdempotencyKey: in.RunID + "/" + table,
	})
	if err != nil {
		return mergedTable{}, commitError(table, err)
	}
	rowsRead := progress.RowsRead + stats.Rows
	maxCursor := laterCursor(sink.progress.MaxCursor, stats.MaxCursor)
	cursorJSON, err := a.saveCursor(ctx, teamID, in.ConfigID, in.Table, maxCursor)
	if err != nil {
		return mergedTable{}, err
	}
	return mergedTable{Result: res, RowsRead: rowsRead, CursorJSON: cursorJSON, FullRead: cursorAfter == nil}, nil
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
