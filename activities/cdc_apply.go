package activities

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/lake"
)

// cdcWriteBatch is how many rows go to a lake writer at once.
const cdcWriteBatch = 1000

// apply commits a table's pending changes as one lake snapshot: the rows
// merged on the key, hard deletes deleted in the same commit, soft deletes
// merged as the lake's row marked deleted. Values an update did not send
// (TOASTed and unchanged) are the lake's. After a truncate the table is
// replaced by the rows that came after it.
func (b *changeBuffer) apply(ctx context.Context, t *tableChanges) error {
	dest, keys := t.plan.DestTable, t.plan.PrimaryKeys
	schema := b.run.in.DestSchema
	current, err := b.lakeRows(ctx, t)
	if err != nil {
		return err
	}
	writeCols := t.cols
	if t.soft {
		writeCols = append(slices.Clip(t.cols), connectors.Column{Name: lake.DeletedAtColumn, Type: connectors.Scalar(connectors.KindTimestampTZ)})
	}
	rows := newStagedRows(b.lake, schema, dest, writeCols)
	defer rows.remove()
	gone := newStagedRows(b.lake, schema, dest, keyColumns(t))
	defer gone.remove()
	now := time.Now().UTC()
	var deleted int64
	for ks, p := range t.pending {
		// Written rows leave the buffer, so while this batch commits the
		// memory of the next one filling is about all the stream holds.
		delete(t.pending, ks)
		lakeRow := current[ks]
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
			err = gone.add(ctx, keyValues(t, p.values))
			deleted++
		default:
			vals := p.values
			for i, keep := range p.unchanged {
				if keep && lakeRow != nil {
					vals[i] = lakeRow[i]
				}
			}
			if t.soft {
				vals = append(vals, nil)
			}
			err = rows.add(ctx, vals)
		}
		if err != nil {
			return err
		}
	}
	files, err := rows.finish(ctx)
	if err != nil {
		return err
	}
	goneFiles, err := gone.finish(ctx)
	if err != nil {
		return err
	}
	method := lake.LoadMerge
	if t.truncated {
		method = lake.LoadOverwrite
	}
	res, err := b.lake.Commit(ctx, lake.CommitRequest{
		Schema: schema, Table: dest, Columns: writeCols, Method: method, PrimaryKeys: keys, Files: files, DeletedKeys: goneFiles,
	})
	if err != nil {
		return commitError(t.plan.Source.String(), err)
	}
	rows.committed()
	t.written += res.RowsWritten
	t.deleted += deleted
	t.snapshot = max(t.snapshot, res.SnapshotID)
	return nil
}

// lakeRows reads the lake's current rows of the pending keys that need
// them (updates with values not sent, soft deletes), in the table's column
// order, by key. Only as many as the buffer holds are read.
func (b *changeBuffer) lakeRows(ctx context.Context, t *tableChanges) (map[string][]any, error) {
	want := newStagedRows(b.lake, b.run.in.DestSchema, t.plan.DestTable, keyColumns(t))
	defer want.remove()
	for _, p := range t.pending {
		if p.unchanged != nil || (p.deleted && t.soft && !t.truncated) {
			if err := want.add(ctx, keyValues(t, p.values)); err != nil {
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

func (s *stagedRows) write(ctx context.Context) error {
	if len(s.batch) == 0 {
		return nil
	}
	if s.writer == nil {
		w, err := s.lake.NewTableWriter(ctx, s.schema, s.table, s.cols)
		if err != nil {
			return err
		}
		s.writer = w
	}
	err := s.writer.WriteBatch(ctx, s.batch)
	s.batch = s.batch[:0]
	return err
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
