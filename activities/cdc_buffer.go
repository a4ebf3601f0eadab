package activities

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pglogrepl"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/postgres"
	"github.com/sluice-dev/sluice/lake"
)

// cdcBufferBytes bounds the changes a cdc run holds before it stages them
// for the lake (a run, or one transaction, larger than it is staged a
// buffer at a time and committed as one merge, or in several commits past
// cdcStepRows; the slot advances only after the last). A full buffer is
// staged while the next fills, so a run holds at most twice this.
var cdcBufferBytes int64 = 16 << 20

// changeBuffer keeps, per table, the net effect of the changes streamed
// since the last flush: the last row of each key, or its deletion. It is the
// stream's postgres.ChangeHandler.
type changeBuffer struct {
	run     *cdcRun
	lake    *lake.Lake
	tables  map[string]*tableChanges
	bytes   int64
	changes int64
	// key is the last change's key values.
	key []any
	// inFlight is the batch being applied while the buffer fills again.
	inFlight *applyBatch
}

var _ postgres.ChangeHandler = (*changeBuffer)(nil)

// tableChanges are one table's pending changes and results.
type tableChanges struct {
	plan   TablePlan
	cols   []connectors.Column
	keyIdx []int
	soft   bool
	// pending finds the row of each key's last change.
	pending *pendingKeys
	// rows holds the values of the pending changes, and info what each
	// change was, by row: in stream order, so they are staged in that order
	// (a key's earlier rows superseded).
	rows *rowStore
	info []pendingRow
	// step is what earlier buffers staged and no commit holds yet; the
	// batch applying is the only one using it.
	step *cdcStep
	// truncated: the table was emptied after the last flush, before the
	// pending rows.
	truncated bool
	// byName maps the columns of the last change's relation to cols.
	lastNames []string
	byName    []int
	changes   int64
	written   int64
	deleted   int64
	snapshot  int64
	err       error
	// unpublished: the table is not in the slot's publication, so the slot
	// has none of its changes (its err says so); it does not hold the slot back.
	unpublished bool
}

// pendingRow is a change held in a row of the table's rowStore: a row's
// values (unchanged marks those the change did not send and no earlier
// change of the run gave) or a delete, whose row holds the key. A later
// change of its key supersedes it.
type pendingRow struct {
	unchanged  []bool
	deleted    bool
	superseded bool
}

func newChangeBuffer(ctx context.Context, r *cdcRun, lk *lake.Lake) (*changeBuffer, error) {
	b := &changeBuffer{run: r, lake: lk, tables: map[string]*tableChanges{}}
	for _, t := range r.in.Tables {
		tc := &tableChanges{plan: t, soft: t.DeleteMode == string(lake.DeleteSoft), pending: newPendingKeys(), step: &cdcStep{}}
		b.tables[t.Source.String()] = tc
		in := CopyTableInput{TeamID: r.in.TeamID, IntegrationID: r.in.IntegrationID, RunID: r.in.RunID, ConfigID: r.in.ConfigID, DestSchema: r.in.DestSchema, Table: t}
		if tc.err = r.a.checkOwner(ctx, r.teamID, r.integID, in); tc.err != nil {
			continue
		}
		cols, err := r.source.Columns(ctx, t.Source)
		if err != nil {
			return nil, fmt.Errorf("describe %s: %w", t.Source, err)
		}
		tc.cols = cols
		tc.rows = newRowStore(cols)
		for _, k := range t.PrimaryKeys {
			i := slices.IndexFunc(cols, func(c connectors.Column) bool { return c.Name == k })
			if i < 0 {
				tc.err = fmt.Errorf("primary key %s is not a column of %s any more", k, t.Source)
				break
			}
			tc.keyIdx = append(tc.keyIdx, i)
		}
	}
	return b, nil
}

// columns are the lake types of every table's columns, for decoding.
func (b *changeBuffer) columns() map[string][]connectors.Column {
	out := map[string][]connectors.Column{}
	for name, t := range b.tables {
		out[name] = t.cols
	}
	return out
}

// Change folds one change into its table's net effect.
func (b *changeBuffer) Change(ctx context.Context, c postgres.Change) error {
	t := b.tables[c.Table.String()]
	if t == nil || t.err != nil {
		return nil // not a table of this run, or one that failed already
	}
	b.changes++
	t.changes++
	if c.Kind == postgres.ChangeTruncate {
		t.clearPending()
		t.truncated = true
		return nil
	}
	idx := t.mapColumns(c.Columns)
	b.key = b.key[:0]
	for _, k := range t.keyIdx {
		var v any
		if idx[k] >= 0 {
			v = c.Values[idx[k]]
		}
		b.key = append(b.key, v)
	}
	prevRow, had := t.pending.find(b.key)
	var prev pendingRow
	if had {
		prev = t.info[prevRow]
		t.info[prevRow].superseded = true
	}
	store := t.rows
	row := pendingRow{deleted: c.Kind == postgres.ChangeDelete}
	before := store.memory()
	for i := range t.cols {
		col, j := &store.cols[i], idx[i]
		switch {
		case j < 0: // a column the change's relation does not have
			col.AppendNull()
		case c.Unchanged[j] && row.deleted:
			col.AppendNull()
		case c.Unchanged[j] && had && !prev.deleted && (prev.unchanged == nil || !prev.unchanged[i]):
			store.boxed += appendFrom(col, col, prevRow)
		case c.Unchanged[j]:
			col.AppendNull()
			if row.unchanged == nil {
				row.unchanged = make([]bool, len(t.cols))
			}
			row.unchanged[i] = true
		default:
			store.boxed += appendValue(col, c.Values[j])
		}
	}
	t.pending.set(b.key, store.n)
	t.info = append(t.info, row)
	store.n++
	b.bytes += store.memory() - before + t.pending.entryBytes(b.key) + 32
	if b.bytes > cdcBufferBytes {
		return b.handOff(ctx, false)
	}
	return nil
}

// Commit notes progress; the changes are applied when the buffer fills or
// the stream ends.
func (b *changeBuffer) Commit(_ context.Context, end pglogrepl.LSN) error {
	b.run.beats.record(cdcProgress{Phase: "streaming", LSN: end.String(), Changes: b.changes})
	return nil
}

// clearPending forgets the pending changes.
func (t *tableChanges) clearPending() {
	t.pending.clear()
	t.info = t.info[:0]
	if t.rows != nil {
		t.rows.reset()
	}
}

// mapColumns maps the table's columns to the positions of a relation's
// columns (-1: absent), reusing the last mapping while the relation is the same.
func (t *tableChanges) mapColumns(names []string) []int {
	if t.byName != nil && slices.Equal(names, t.lastNames) {
		return t.byName
	}
	t.lastNames, t.byName = names, make([]int, len(t.cols))
	for i, c := range t.cols {
		t.byName[i] = slices.Index(names, c.Name)
	}
	return t.byName
}

// markUnpublished fails the tables the publication does not have: selected
// (a glob's new match) after the snapshot, they have no copy to apply
// changes to, and the slot has none of theirs.
func (b *changeBuffer) markUnpublished(published []connectors.TableRef) {
	for name, t := range b.tables {
		if t.err == nil && !slices.Contains(published, t.plan.Source) {
			t.unpublished = true
			t.err = fmt.Errorf("%s is not in the sync's publication: it was created or selected after the sync's snapshot; "+
				"replay the sync with {\"tables\": \"all\"} to copy every table again from a fresh snapshot that includes it", name)
		}
	}
}

// applyFailed reports whether a published table's changes failed to apply,
// which keeps the slot where it was.
func (b *changeBuffer) applyFailed() bool {
	for _, t := range b.tables {
		if t.err != nil && !t.unpublished {
			return true
		}
	}
	return false
}

// failures are the tables whose changes could not be applied.
func (b *changeBuffer) failures() []TableFailure {
	var out []TableFailure
	for name, t := range b.tables {
		if t.err != nil {
			out = append(out, TableFailure{Table: name, Status: "failed", Error: permanentCopyError(name, t.err).Error()})
		}
	}
	slices.SortFunc(out, func(x, y TableFailure) int { return strings.Compare(x.Table, y.Table) })
	return out
}

// discard drops whatever was not applied (a failed run), once the batch
// in flight is done with the lake, and the files staged for it.
func (b *changeBuffer) discard() {
	_ = b.wait()
	for _, t := range b.tables {
		t.clearPending()
		if t.step.staged() {
			b.dropStep(t.step)
		}
	}
}

// keyString identifies a key's values in the buffer and in rows read back
// from the lake, whose instants may come in another time zone.
func keyString(vals []any) string { return string(appendKeyString(nil, vals)) }

// appendKey appends one value of a key as keyString writes it.
func appendKey(key []byte, v any) []byte {
	switch x := v.(type) {
	case int64:
		key = strconv.AppendInt(key, x, 10)
	case string:
		key = append(key, x...)
	case time.Time:
		key = x.UTC().AppendFormat(key, time.RFC3339Nano)
	default:
		key = fmt.Append(key, v)
	}
	return append(key, 0)
}

// valueBytes estimates a value's memory.
func valueBytes(v any) int64 {
	switch x := v.(type) {
	case string:
		return int64(len(x)) + 16
	case []byte:
		return int64(len(x)) + 24
	case connectors.JSON:
		return int64(len(x)) + 16
	}
	return 16
}
