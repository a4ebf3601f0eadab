package lake

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// rowIDs reads every live row's row id and id column from the table's live
// files, as the specification defines row ids: the id a file stores, or
// row_id_start plus the row's position.
func (f *fixture) rowIDs(table string) map[int64]int64 {
	f.t.Helper()
	_, tables, err := f.lake.currentTables(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	tb := findTable(tables, "o", table)
	snap, err := f.lake.latestSnapshot(f.ctx, f.pool)
	if err != nil {
		f.t.Fatal(err)
	}
	files, err := f.lake.loadFiles(f.ctx, f.pool, snap.ID, tb.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	d, err := openDuck(f.ctx, "256MB", 1)
	if err != nil {
		f.t.Fatal(err)
	}
	defer d.Close()
	out := map[int64]int64{}
	for _, file := range files {
		q := fmt.Sprintf(`SELECT t.id, COALESCE(t.rid, %d + t.file_row_number) FROM read_parquet(%s,
			schema = MAP {1: {name: 'id', type: 'BIGINT', default_value: NULL}, %d: {name: 'rid', type: 'BIGINT', default_value: NULL}},
			file_row_number = true) t`, file.RowIDStart, quoteString(f.lake.filePath(tb, file.Path, file.Relative)), rowIDFieldID)
		if file.Delete != nil {
			q += " ANTI JOIN read_parquet(" + quoteString(f.lake.filePath(tb, file.Delete.Path, file.Delete.Relative)) + ") x ON x.pos = t.file_row_number"
		}
		rows, err := d.conn.QueryContext(f.ctx, q)
		if err != nil {
			f.t.Fatal(err)
		}
		for rows.Next() {
			var id, rid int64
			if err := rows.Scan(&id, &rid); err != nil {
				f.t.Fatal(err)
			}
			out[rid] = id
		}
		rows.Close()
	}
	return out
}

func (f *fixture) liveFiles(table string) int {
	f.t.Helper()
	var n int
	err := f.pool.QueryRow(f.ctx, `SELECT count(*) FROM lake_test.ducklake_data_file d JOIN lake_test.ducklake_table t USING (table_id)
		WHERE t.table_name = $1 AND d.end_snapshot IS NULL`, table).Scan(&n)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// TestCompactTable merges many small files (some with deletes) into one:
// the same rows with the same row ids, deleted rows stay deleted, older
// snapshots read what they read, and later merges still find their keys.
func TestCompactTable(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), col("v", connectors.KindString)}
	for i := range 20 {
		f.load("o", "t", cols, [][]any{{int64(i), fmt.Sprint("a", i)}, {int64(i + 100), "b"}}, LoadMerge, "id")
	}
	f.load("o", "t", cols, [][]any{{int64(3), "updated"}, {int64(105), "updated"}}, LoadMerge, "id")
	beforeIDs := f.rowIDs("t")
	before := f.one(`SELECT string_agg(id::VARCHAR || v, ',' ORDER BY id) FROM o.t`)
	snapBefore, err := f.lake.latestSnapshot(f.ctx, f.pool)
	if err != nil {
		t.Fatal(err)
	}
	if n := f.liveFiles("t"); n != 21 {
		t.Fatalf("%d live files before, want 21", n)
	}

	res, err := f.lake.CompactTable(f.ctx, "o", "t", CompactOptions{})
	if err != nil {
		t.Fatalf("compact: %v", err)
	}
	if res.FilesBefore != 21 || res.FilesAfter != 1 || res.SnapshotID != snapBefore.ID+1 || f.liveFiles("t") != 1 {
		t.Fatalf("compaction %+v, %d live files", res, f.liveFiles("t"))
	}
	after := f.one(`SELECT string_agg(id::VARCHAR || v, ',' ORDER BY id) FROM o.t`)
	if after != before || f.one(`SELECT count(*) FROM o.t`) != int64(40) || f.one(`SELECT v FROM o.t WHERE id = 3`) != "updated" {
		t.Fatalf("rows changed: %v → %v", before, after)
	}
	afterIDs := f.rowIDs("t")
	if len(afterIDs) != len(beforeIDs) {
		t.Fatalf("%d row ids after, %d before", len(afterIDs), len(beforeIDs))
	}
	for rid, id := range beforeIDs {
		if afterIDs[rid] != id {
			t.Fatalf("row id %d holds id %d after compaction, %d before", rid, afterIDs[rid], id)
		}
	}
	old := snapBefore.ID - 5
	if got := f.one(`SELECT count(*) FROM o.t`, QueryOptions{Snapshot: &old}); got != int64(32) {
		t.Fatalf("snapshot %d reads %v rows after compaction, want 32", old, got)
	}
	// Merges after compaction match keys in the compacted file.
	f.load("o", "t", cols, [][]any{{int64(7), "again"}}, LoadMerge, "id")
	if f.one(`SELECT count(*) FROM o.t`) != int64(40) || f.one(`SELECT v FROM o.t WHERE id = 7`) != "again" {
		t.Fatal("a merge after compaction duplicated a key")
	}
	// A second compaction keeps the stored row ids.
	idsNow := f.rowIDs("t")
	if _, err := f.lake.CompactTable(f.ctx, "o", "t", CompactOptions{}); err != nil {
		t.Fatal(err)
	}
	for rid, id := range f.rowIDs("t") {
		if idsNow[rid] != id {
			t.Fatalf("second compaction: row id %d holds %d, want %d", rid, id, idsNow[rid])
		}
	}
	if _, err := f.lake.CompactTable(f.ctx, "o", "missing", CompactOptions{}); !errors.Is(err, errNoTable) {
		t.Fatalf("compacting a missing table: %v", err)
	}
	c := conformance{f: f}
	c.metadata()
	c.snapshots()
	c.versionedRows()
	c.ids()
	c.columns()
	c.files()
	c.stats()
}

// TestExpireSnapshots expires old snapshots: time travel within retention
// reads as before, beyond it is a gone error, and the files only expired
// snapshots read are scheduled and then removed.
func TestExpireSnapshots(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), col("v", connectors.KindString)}
	f.load("o", "t", cols, [][]any{{int64(1), "a"}, {int64(2), "b"}}, LoadAppend)
	oldSnap := f.load("o", "t", cols, [][]any{{int64(2), "c"}}, LoadMerge, "id").SnapshotID
	oldTime := time.Now()
	if _, err := f.lake.CompactTable(f.ctx, "o", "t", CompactOptions{}); err != nil {
		t.Fatal(err)
	}
	var oldFiles []string
	rows, err := f.pool.Query(f.ctx, `SELECT path FROM lake_test.ducklake_data_file WHERE end_snapshot IS NOT NULL
		UNION ALL SELECT path FROM lake_test.ducklake_delete_file WHERE end_snapshot IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p string
		_ = rows.Scan(&p)
		oldFiles = append(oldFiles, f.lake.DataPath()+"/o/t/"+p)
	}
	rows.Close()
	if len(oldFiles) != 3 {
		t.Fatalf("%d ended files, want 3 (two data files, a delete file)", len(oldFiles))
	}
	time.Sleep(20 * time.Millisecond)
	cutoff := time.Now()
	keep := f.load("o", "t", cols, [][]any{{int64(3), "d"}}, LoadAppend).SnapshotID

	res, err := f.lake.ExpireSnapshots(f.ctx, cutoff)
	if err != nil {
		t.Fatalf("expire: %v", err)
	}
	if res.OldestKept != keep || res.Expired != int(keep) || res.FilesScheduled != 3 {
		t.Fatalf("expire %+v, want oldest kept %d, %d expired, 3 files", res, keep, keep)
	}
	if f.one(`SELECT count(*) FROM o.t`) != int64(3) || f.one(`SELECT count(*) FROM o.t`, QueryOptions{Snapshot: &keep}) != int64(3) {
		t.Fatal("the kept snapshots read differently")
	}
	for _, opts := range []QueryOptions{{Snapshot: &oldSnap}, {At: &oldTime}} {
		_, err := f.lake.Query(f.ctx, `SELECT count(*) FROM o.t`, opts)
		var qe *connectors.QueryError
		if !errors.As(err, &qe) || qe.Kind != connectors.QueryErrGone {
			t.Fatalf("time travel past retention: %v, want a gone error", err)
		}
	}
	future := keep + 10
	if _, err := f.lake.Query(f.ctx, `SELECT 1`, QueryOptions{Snapshot: &future}); err == nil || err.(*connectors.QueryError).Kind != connectors.QueryErrNotFound {
		t.Fatalf("a snapshot never taken: %v, want not_found", err)
	}
	if n, err := f.lake.RemoveExpiredFiles(f.ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("removed %d (%v) within the grace period", n, err)
	}
	if n, err := f.lake.RemoveExpiredFiles(f.ctx, 0); err != nil || n != 3 {
		t.Fatalf("removed %d expired files (%v), want 3", n, err)
	}
	for _, p := range oldFiles {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("expired file %s is still there: %v", p, err)
		}
	}
	if f.one(`SELECT count(*) FROM o.t`) != int64(3) {
		t.Fatal("the current snapshot lost rows")
	}
	// Expiring again with nothing older changes nothing; the latest stays.
	if res, err := f.lake.ExpireSnapshots(f.ctx, time.Now().Add(time.Hour)); err != nil || res.Expired != 0 || res.OldestKept != keep {
		t.Fatalf("second expiry: %+v %v", res, err)
	}
	c := conformance{f: f}
	c.metadata()
	c.versionedRows()
	c.ids()
	c.columns()
	c.files()
	c.stats()
}

// TestTableInfosAndSnapshotPage checks what the lake's browsing reads.
func TestTableInfosAndSnapshotPage(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), col("v", connectors.KindString)}
	f.load("o", "t", cols, [][]any{{int64(1), "a"}, {int64(2), "b"}}, LoadAppend)
	last := f.load("o", "t", cols, [][]any{{int64(2), "c"}}, LoadMerge, "id").SnapshotID
	f.load("o", `we"ird,name`, cols, [][]any{{int64(1), "a"}}, LoadAppend)
	infos, more, err := f.lake.TableInfos(f.ctx, 10)
	if err != nil || more || len(infos) != 2 {
		t.Fatalf("infos %+v more=%v err=%v", infos, more, err)
	}
	ti := infos[0]
	if ti.Name != "t" || ti.Rows != 2 || ti.Files != 2 || ti.SizeBytes <= 0 || ti.LastSnapshotID != last || ti.LastSnapshotTime == nil {
		t.Fatalf("table info %+v", ti)
	}
	if _, more, _ := f.lake.TableInfos(f.ctx, 1); !more {
		t.Fatal("a limit of 1 did not say there were more")
	}
	one, colsOut, err := f.lake.TableInfoOf(f.ctx, "O", "t")
	if err != nil || one.ID != ti.ID || len(colsOut) != 2 || colsOut[1].SourceType != "varchar" {
		t.Fatalf("table info of o.t: %+v %+v %v", one, colsOut, err)
	}
	if _, _, err := f.lake.TableInfoOf(f.ctx, "o", "nope"); err == nil {
		t.Fatal("a missing table was found")
	}
	page, err := f.lake.SnapshotPage(f.ctx, nil, 2)
	if err != nil || len(page) != 2 {
		t.Fatalf("page %+v %v", page, err)
	}
	if c := page[0].ChangeList; len(c) != 2 || c[0].Kind != "created_table" || c[0].Table != `we"ird,name` || c[1].Table != `we"ird,name` {
		t.Fatalf("changes of the newest snapshot: %+v (%s)", c, page[0].Changes)
	}
	next, err := f.lake.SnapshotPage(f.ctx, &page[1].ID, 100)
	if err != nil || len(next) == 0 || next[0].ID != page[1].ID-1 {
		t.Fatalf("next page %+v %v", next, err)
	}
	if c := next[0].ChangeList; len(c) != 3 || c[0].Kind != "created_schema" || c[0].Schema != "o" || c[1].Table != "t" ||
		c[2].Kind != "inserted_into_table" || c[2].Table != "t" || c[2].Schema != "o" || c[2].TableID == nil {
		t.Fatalf("changes %+v (%s)", c, next[0].Changes)
	}
}

// TestCompactKeepsEveryKindAndEvolvedColumns compacts files of every value
// kind, written before and after a column was added and a column widened:
// every value reads back the same, at the current and at an older snapshot.
func TestCompactKeepsEveryKindAndEvolvedColumns(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{
		col("i", connectors.KindInt), col("f", connectors.KindFloat), decimalCol("d", 10, 3),
		col("s", connectors.KindString), col("b", connectors.KindBool), col("dt", connectors.KindDate),
		col("tm", connectors.KindTime), col("ts", connectors.KindTimestamp), col("tz", connectors.KindTimestampTZ),
		col("iv", connectors.KindInterval), col("j", connectors.KindJSON), col("by", connectors.KindBytes),
		col("u", connectors.KindUUID), {Name: "arr", Type: connectors.ArrayOf(connectors.Scalar(connectors.KindInt))},
		{Name: "arrs", Type: connectors.ArrayOf(connectors.Scalar(connectors.KindString))},
	}
	ts := time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)
	row := func(i int) []any {
		return []any{int64(i), 1.5, connectors.Decimal("12.345"), fmt.Sprint("héllo ", i), true, connectors.Date("2024-02-29"),
			connectors.TimeOfDay("12:34:56.5"), ts, ts, "P1Y2M3DT4H5M6.5S", connectors.JSON(`{"a": [1, 2]}`), []byte{0, 1, 255},
			"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", []any{int64(1), int64(i)}, []any{"x", nil}}
	}
	nulls := make([]any, len(cols))
	nulls[0] = int64(-1)
	f.load("o", "k", cols, [][]any{row(1), nulls}, LoadMerge, "i")
	f.load("o", "k", cols, [][]any{row(2), row(1)}, LoadMerge, "i")
	// A new column, and i widened from int to decimal.
	cols2 := append([]connectors.Column{decimalCol("i", 20, 0)}, cols[1:]...)
	cols2 = append(cols2, col("added", connectors.KindString))
	rows := [][]any{append(row(3), "new")}
	rows[0][0] = connectors.Decimal("3")
	older := f.load("o", "k", cols2, rows, LoadMerge, "i").SnapshotID
	f.load("o", "k", cols2, [][]any{append(append([]any{connectors.Decimal("4")}, row(4)[1:]...), nil)}, LoadAppend)

	dump := `SELECT * FROM o.k ORDER BY i`
	before := f.query(dump).Rows
	beforeOld := f.query(dump, QueryOptions{Snapshot: &older}).Rows
	res, err := f.lake.CompactTable(f.ctx, "o", "k", CompactOptions{})
	if err != nil || res.FilesAfter != 1 || res.FilesBefore != 4 {
		t.Fatalf("compact: %+v %v", res, err)
	}
	if after := f.query(dump).Rows; fmt.Sprintf("%#v", after) != fmt.Sprintf("%#v", before) || len(after) != 5 {
		t.Fatalf("after compaction:\n%#v\nbefore:\n%#v", after, before)
	}
	if after := f.query(dump, QueryOptions{Snapshot: &older}).Rows; fmt.Sprintf("%#v", after) != fmt.Sprintf("%#v", beforeOld) {
		t.Fatalf("older snapshot after compaction:\n%#v\nbefore:\n%#v", after, beforeOld)
	}
}
