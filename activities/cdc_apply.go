package activities

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/lake"
)

// cdcWriteBatch is how many rows go to a lake writer at once.
const cdcWriteBatch = 1000

// cdcStepRows bounds the rows a table stages before they are committed:
// the buffers applied in a run are staged, each buffer's rows and deleted
// keys apart, and committed together as one merge, which matches their keys
// against the table's rows once instead of once a buffer.
var cdcStepRows int64 = 8_000_000

// cdcStep is a table's changes staged since its last commit: the rows of
// each applied buffer, in stream order, and the keys each deleted with how
// many of the files came before them (lake.CommitRequest.DeletedKeysAfter).
type cdcStep struct {
	files     []lake.StagedFile
	gone      []lake.StagedFile
	goneAfter []int
	rows      int64
	deleted   int64
}

func (s *cdcStep) staged() bool { return len(s.files)+len(s.gone) > 0 }

// apply stages a table's pending changes and commits them, with the
// changes staged before, when the run ends (final) or the staged rows
// pass cdcStepRows. Rows merge on the key, hard deletes delete in the same
// commit, soft deletes merge as the lake's row marked deleted. Values an
// update did not send (TOASTed and unchanged) are the lake's, so changes
// that need the lake's rows commit what is staged first. After a truncate
// the table is replaced by the rows that came after it.
func (b *changeBuffer) apply(ctx context.Context, t *tableChanges, final bool) (err error) {
	defer func() {
		if err != nil {
			b.dropStep(t.step)
		}
	}()
	if t.truncated {
		b.dropStep(t.step) // changes before the truncate are gone with the table's rows
		if err := b.stage(ctx, t, nil); err != nil {
			return err
		}
		return b.commitStep(ctx, t, lake.LoadOverwrite)
	}
	if t.step.staged() && t.needsLakeRows() {
		if err := b.commitStep(ctx, t, lake.LoadMerge); err != nil {
			return err
		}
	}
	current, err := b.lakeRows(ctx, t)
	if err != nil {
		return err
	}
	if err := b.stage(ctx, t, current); err != nil {
		return err
	}
	if final || t.step.rows >= cdcStepRows {
		return b.commitStep(ctx, t, lake.LoadMerge)
	}
	return nil
}

// writeColumns are the columns a table's rows are written with: soft
// deletes add the deletion time.
func (t *tableChanges) writeColumns() []connectors.Column {
	if !t.soft {
		return t.cols
	}
	return append(slices.Clip(t.cols), connectors.Column{Name: lake.DeletedAtColumn, Type: connectors.Scalar(connectors.KindTimestampTZ)})
}

// stage writes a table's pending changes to staged files added to its
// step: the rows, and the keys deleted (hard deletes), which come after
// every file staged before.
func (b *changeBuffer) stage(ctx context.Context, t *tableChanges, current map[string][]any) error {
	schema, dest := b.run.in.DestSchema, t.plan.DestTable
	rows := newStagedRows(b.lake, schema, dest, t.writeColumns())
	defer rows.remove()
	gone := newStagedRows(b.lake, schema, dest, keyColumns(t))
	defer gone.remove()
	upserts := newUpsertBatch(t)
	now := time.Now().UTC()
	var deleted int64
	var err error
	for row, p := range t.info {
		if p.superseded {
			continue
		}
		var lakeRow []any
		if current != nil && t.needsLakeRow(p) {
			lakeRow = current[keyString(t.keyOf(row))]
		}
		switch {
		case p.deleted && t.truncated:
			continue // nothing of it is left after the truncate
		case p.deleted && t.soft:
			if lakeRow == nil {
				continue
			}
			err = rows.add(ctx, append(lakeRow[:len(t.cols):len(t.cols)], now))
			deleted++
		case p.deleted:
			err = gone.add(ctx, t.keyOf(row))
			deleted++
		default:
			if upserts.add(row, p, lakeRow) {
				err = rows.addColumns(ctx, upserts.batch)
				upserts.reset()
			}
		}
		if err != nil {
			return err
		}
	}
	if err := rows.addColumns(ctx, upserts.batch); err != nil {
		return err
	}
	files, err := rows.finish(ctx)
	if err != nil {
		return err
	}
	goneFiles, err := gone.finish(ctx)
	if err != nil {
		return err
	}
	st := t.step
	for _, g := range goneFiles {
		st.gone = append(st.gone, g)
		st.goneAfter = append(st.goneAfter, len(st.files))
	}
	st.files = append(st.files, files...)
	st.rows += int64(rows.count)
	st.deleted += deleted
	rows.committed() // the step has them now
	gone.committed()
	t.clearPending() // the step holds them now
	return nil
}

// upsertBatch gathers pending rows from a table's store into a batch for
// the lake writer, taking the values an update did not send from the
// lake's row; soft deletes add the (NULL) deletion time.
type upsertBatch struct {
	t     *tableChanges
	batch *connectors.ColumnBatch
	extra int
}

func newUpsertBatch(t *tableChanges) *upsertBatch {
	u := &upsertBatch{t: t, batch: &connectors.ColumnBatch{}}
	if t.soft {
		u.extra = 1
	}
	u.reset()
	return u
}

func (u *upsertBatch) reset() { u.t.rows.resetBatch(u.batch, u.extra) }

// add gathers a row of the store, reporting whether the batch is full.
func (u *upsertBatch) add(row int, p pendingRow, lakeRow []any) bool {
	store, out := u.t.rows, u.batch.Cols
	for c := range store.cols {
		if p.unchanged != nil && p.unchanged[c] && lakeRow != nil {
			appendValue(&out[c], lakeRow[c])
		} else {
			appendFrom(&out[c], &store.cols[c], row)
		}
	}
	for c := len(store.cols); c < len(out); c++ {
		out[c].AppendNull()
	}
	u.batch.Len++
	return u.batch.Len >= cdcWriteBatch
}

// commitStep commits a table's staged changes as one lake snapshot.
func (b *changeBuffer) commitStep(ctx context.Context, t *tableChanges, method lake.LoadMethod) error {
	st := t.step
	if method == lake.LoadMerge && !st.staged() {
		return nil
	}
	// The buffers staged are garbage now: handing their memory back before
	// the merge's DuckDB memory keeps the run's peak RSS down.
	debug.FreeOSMemory()
	res, err := b.lake.Commit(ctx, lake.CommitRequest{
		Schema: b.run.in.DestSchema, Table: t.plan.DestTable, Columns: t.writeColumns(), Method: method, PrimaryKeys: t.plan.PrimaryKeys,
		Files: st.files, DeletedKeys: st.gone, DeletedKeysAfter: st.goneAfter,
	})
	if err != nil {
		return commitError(t.plan.Source.String(), err)
	}
	t.written += res.RowsWritten
	t.deleted += st.deleted
	t.snapshot = max(t.snapshot, res.SnapshotID)
	*st = cdcStep{}
	return nil
}

// dropStep removes a step's staged files, which no commit holds.
func (b *changeBuffer) dropStep(st *cdcStep) {
	b.lake.RemoveStaged(context.Background(), append(slices.Clip(st.files), st.gone...))
	*st = cdcStep{}
}

// needsLakeRows reports whether a pending change needs the lake's row.
func (t *tableChanges) needsLakeRows() bool {
	for _, p := range t.info {
		if !p.superseded && t.needsLakeRow(p) {
			return true
		}
	}
	return false
}

// needsLakeRow: an update with values not sent, or a soft delete.
func (t *tableChanges) needsLakeRow(p pendingRow) bool {
	return p.unchanged != nil || (p.deleted && t.soft && !t.truncated)
}

// lakeRows reads the lake's current rows of the pending keys that need
// them (updates with values not sent, soft deletes), in the table's column
// order, by key. Only as many as the buffer holds are read.
func (b *changeBuffer) lakeRows(ctx context.Context, t *tableChanges) (map[string][]any, error) {
	want := newStagedRows(b.lake, b.run.in.DestSchema, t.plan.DestTable, keyColumns(t))
	defer want.remove()
	for row, p := range t.info {
		if !p.superseded && t.needsLakeRow(p) {
			if err := want.add(ctx, t.keyOf(row)); err != nil {
				return nil, err
			}
		}
	}
	if want.count == 0 || t.truncated {
		return nil, nil
	}
	files, err := want.finish(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string][]any{}
	var order []int // lake column → position in t.cols
	err = b.lake.RowsByKey(ctx, b.run.in.DestSchema, t.plan.DestTable, t.plan.PrimaryKeys, files, func(names []string, row []any) error {
		if order == nil {
			order = make([]int, len(names))
			for i, n := range names {
				order[i] = slices.IndexFunc(t.cols, func(c connectors.Column) bool { return c.Name == n })
			}
		}
		vals := make([]any, len(t.cols))
		for i, j := range order {
			if j >= 0 {
				vals[j] = row[i]
			}
		}
		out[keyString(keyValues(t, vals))] = vals
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the lake rows of %s that changes left partly unsent: %w", t.plan.Source, err)
	}
	return out, nil
}

func keyColumns(t *tableChanges) []connectors.Column {
	out := make([]connectors.Column, len(t.keyIdx))
	for j, i := range t.keyIdx {
		out[j] = t.cols[i]
	}
	return out
}

// keyOf is the key of a row of the table's store.
func (t *tableChanges) keyOf(row int) []any {
	out := make([]any, len(t.keyIdx))
	for j, i := range t.keyIdx {
		out[j] = t.rows.value(i, row)
	}
	return out
}

func keyValues(t *tableChanges, values []any) []any {
	out := make([]any, len(t.keyIdx))
	for j, i := range t.keyIdx {
		out[j] = values[i]
	}
	return out
}

// recordTables records each table that did not fail as succeeded, with the
// changes read and the rows written.
func (b *changeBuffer) recordTables(ctx context.Context) error {
	for name, t := range b.tables {
		if t.err != nil {
			continue
		}
		var snap *int64
		if t.snapshot > 0 {
			snap = &t.snapshot
		}
		if err := b.run.a.queries().SyncRunTableSucceed(ctx, db.SyncRunTableSucceedParams{
			TeamID: b.run.teamID, RunID: b.run.runID, SourceTable: name, RowsRead: t.changes, RowsWritten: t.written + t.deleted, SnapshotID: snap,
		}); err != nil {
			return fmt.Errorf("record %s: %w", name, err)
		}
	}
	return nil
}

// stagedRows writes rows to staged lake files, opening the writer on the
// first row, in batches.
type stagedRows struct {
	lake          *lake.Lake
	schema, table string
	cols          []connectors.Column
	writer        *lake.TableWriter
	batch         [][]any
	count         int
	files         []lake.StagedFile
	keep          bool
}

func newStagedRows(lk *lake.Lake, schema, table string, cols []connectors.Column) *stagedRows {
	return &stagedRows{lake: lk, schema: schema, table: table, cols: cols}
}

func (s *stagedRows) add(ctx context.Context, row []any) error {
	s.batch = append(s.batch, row)
	s.count++
	if len(s.batch) >= cdcWriteBatch {
		return s.write(ctx)
	}
	return nil
}

// addColumns writes a batch of rows held column by column.
func (s *stagedRows) addColumns(ctx context.Context, b *connectors.ColumnBatch) error {
	if b.Len == 0 {
		return nil
	}
	if err := s.open(ctx); err != nil {
		return err
	}
	s.count += b.Len
	return s.writer.WriteColumns(ctx, b)
}

func (s *stagedRows) write(ctx context.Context) error {
	if len(s.batch) == 0 {
		return nil
	}
	if err := s.open(ctx); err != nil {
		return err
	}
	err := s.writer.WriteBatch(ctx, s.batch)
	s.batch = s.batch[:0]
	return err
}

// open opens the writer on the first rows.
func (s *stagedRows) open(ctx context.Context) error {
	if s.writer != nil {
		return nil
	}
	w, err := s.lake.NewBufferWriter(ctx, s.schema, s.table, s.cols)
	if err != nil {
		return err
	}
	s.writer = w
	return nil
}

// finish returns the staged files (none without rows).
func (s *stagedRows) finish(ctx context.Context) ([]lake.StagedFile, error) {
	if err := s.write(ctx); err != nil {
		return nil, err
	}
	if s.writer == nil {
		return nil, nil
	}
	files, err := s.writer.Finish(ctx)
	s.writer = nil
	s.files = files
	return files, err
}

// committed keeps the files: they are part of a snapshot now.
func (s *stagedRows) committed() { s.keep = true }

// remove deletes the files unless they were committed.
func (s *stagedRows) remove() {
	if s.writer != nil {
		s.writer.Abort()
	}
	if s.keep {
		return
	}
	s.lake.RemoveStaged(context.Background(), s.files)
}
