package lake

import (
	"fmt"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

var deleteCols = []connectors.Column{col("id", connectors.KindInt), col("name", connectors.KindString), col("tags", connectors.KindJSON)}

// deleteFixture loads ids 1..n (two files, so a delete spans files) and
// returns a function that stages a source key set.
func deleteFixture(t *testing.T, n int) (*fixture, func(ids ...int) []StagedFile) {
	f := newFixture(t)
	var rows [][]any
	for i := 1; i <= n; i++ {
		rows = append(rows, []any{int64(i), fmt.Sprintf("n%d", i), `{"a": 1}`})
		if i == n/2 {
			f.load("s", "t", deleteCols, rows, LoadMerge, "id")
			rows = nil
		}
	}
	f.load("s", "t", deleteCols, rows, LoadMerge, "id")
	keys := func(ids ...int) []StagedFile {
		var krows [][]any
		for _, id := range ids {
			krows = append(krows, []any{int64(id)})
		}
		return f.stage("s", "t", deleteCols[:1], krows)
	}
	return f, keys
}

func except(n int, gone ...int) []int {
	var out []int
	for i := 1; i <= n; i++ {
		skip := false
		for _, g := range gone {
			skip = skip || g == i
		}
		if !skip {
			out = append(out, i)
		}
	}
	return out
}

func TestDeleteMissingHardRemovesRowsGoneFromTheSource(t *testing.T) {
	f, keys := deleteFixture(t, 100)
	req := DeleteRequest{Schema: "s", Table: "t", PrimaryKeys: []string{"id"}, Mode: DeleteHard, SourceKeys: keys(except(100, 3, 50, 51, 99)...), IdempotencyKey: "run/t/deletes"}
	res, err := f.lake.DeleteMissing(f.ctx, req)
	if err != nil || res.Deleted != 4 {
		t.Fatalf("delete missing: %+v %v", res, err)
	}
	if n := f.one("SELECT count(*) FROM s.t"); n != int64(96) {
		t.Fatalf("rows after hard delete: %v", n)
	}
	if n := f.one("SELECT count(*) FROM s.t WHERE id IN (3, 50, 51, 99)"); n != int64(0) {
		t.Fatalf("deleted rows still there: %v", n)
	}
	before := res.SnapshotID - 1
	if n := f.one("SELECT count(*) FROM s.t", QueryOptions{Snapshot: &before}); n != int64(100) {
		t.Fatalf("the previous snapshot lost rows: %v", n)
	}
	// The same request again (a retried activity) changes nothing.
	snaps := f.snapshotCount()
	again, err := f.lake.DeleteMissing(f.ctx, req)
	if err != nil || !again.Deduplicated || again.SnapshotID != res.SnapshotID || f.snapshotCount() != snaps {
		t.Fatalf("repeated request: %+v %v", again, err)
	}
	// A later detection with nothing gone writes no snapshot.
	req.IdempotencyKey, req.SourceKeys = "", keys(except(100, 3, 50, 51, 99)...)
	if none, err := f.lake.DeleteMissing(f.ctx, req); err != nil || none.Deleted != 0 || f.snapshotCount() != snaps {
		t.Fatalf("nothing to delete: %+v %v", none, err)
	}
}

func TestDeleteMissingSoftMarksAndRestores(t *testing.T) {
	f, keys := deleteFixture(t, 100)
	req := DeleteRequest{Schema: "s", Table: "t", PrimaryKeys: []string{"id"}, Mode: DeleteSoft, SourceKeys: keys(except(100, 7, 70)...)}
	res, err := f.lake.DeleteMissing(f.ctx, req)
	if err != nil || res.Deleted != 2 || res.Restored != 0 {
		t.Fatalf("soft delete: %+v %v", res, err)
	}
	if n := f.one("SELECT count(*) FROM s.t"); n != int64(100) {
		t.Fatalf("soft delete removed rows: %v", n)
	}
	if got := f.one("SELECT string_agg(id::VARCHAR || name || CAST(tags AS VARCHAR), ',' ORDER BY id) FROM s.t WHERE _sluice_deleted_at IS NOT NULL"); got != `7n7{"a": 1},70n70{"a": 1}` {
		t.Fatalf("marked rows: %v", got)
	}
	// Marked rows stay marked (no new snapshot); 7 comes back, 8 goes.
	snaps := f.snapshotCount()
	req.SourceKeys = keys(except(100, 7, 70)...)
	if same, err := f.lake.DeleteMissing(f.ctx, req); err != nil || same.Deleted+same.Restored != 0 || f.snapshotCount() != snaps {
		t.Fatalf("unchanged source: %+v %v", same, err)
	}
	req.SourceKeys = keys(except(100, 8, 70)...)
	if res, err = f.lake.DeleteMissing(f.ctx, req); err != nil || res.Deleted != 1 || res.Restored != 1 {
		t.Fatalf("second detection: %+v %v", res, err)
	}
	if got := f.one("SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM s.t WHERE _sluice_deleted_at IS NOT NULL"); got != "8,70" {
		t.Fatalf("marked rows after 7 came back: %v", got)
	}
	// Rows a delete file already deletes (70's unmarked version) are neither
	// marked again nor come back.
	if n := f.one("SELECT count(*) || '/' || count(DISTINCT id) FROM s.t"); n != "100/100" {
		t.Fatalf("rows/keys after restore: %v", n)
	}
	// Switching to hard removes what is still gone, marked or not.
	req.Mode, req.SourceKeys = DeleteHard, keys(except(100, 8, 70)...)
	if res, err = f.lake.DeleteMissing(f.ctx, req); err != nil || res.Deleted != 2 {
		t.Fatalf("hard after soft: %+v %v", res, err)
	}
	if n := f.one("SELECT count(*) FROM s.t"); n != int64(98) {
		t.Fatalf("rows after hard: %v", n)
	}
}

func TestDeleteMissingEmptySourceAndBadRequests(t *testing.T) {
	f, keys := deleteFixture(t, 10)
	if _, err := f.lake.DeleteMissing(f.ctx, DeleteRequest{Schema: "s", Table: "t", PrimaryKeys: []string{"id"}, Mode: DeleteKeep}); err == nil {
		t.Fatal("keep mode accepted")
	}
	bad := keys(1, 2)
	bad[0].Columns = []FileColumn{{Name: "other", FieldID: 99, Type: connectors.Scalar(connectors.KindInt)}}
	if _, err := f.lake.DeleteMissing(f.ctx, DeleteRequest{Schema: "s", Table: "t", PrimaryKeys: []string{"id"}, Mode: DeleteHard, SourceKeys: bad}); err == nil {
		t.Fatal("a key file without the key column was taken as an empty source")
	}
	if n := f.one("SELECT count(*) FROM s.t"); n != int64(10) {
		t.Fatalf("a refused request deleted rows: %v", n)
	}
	res, err := f.lake.DeleteMissing(f.ctx, DeleteRequest{Schema: "s", Table: "t", PrimaryKeys: []string{"id"}, Mode: DeleteHard})
	if err != nil || res.Deleted != 10 {
		t.Fatalf("empty source: %+v %v", res, err)
	}
	if n := f.one("SELECT count(*) FROM s.t"); n != int64(0) {
		t.Fatalf("rows left: %v", n)
	}
	if res, err := f.lake.DeleteMissing(f.ctx, DeleteRequest{Schema: "s", Table: "absent", PrimaryKeys: []string{"id"}, Mode: DeleteHard}); err != nil || res.Deleted != 0 {
		t.Fatalf("absent table: %+v %v", res, err)
	}
}

// TestDeleteMissingKeepsTheCatalogConformant marks, restores and removes rows
// of a table with a list column over many small files, then checks the
// catalog against the specification's invariants as TestCatalogConformance
// does, and the rewritten rows' values.
func TestDeleteMissingKeepsTheCatalogConformant(t *testing.T) {
	f := newFixture(t)
	f.lake.Limits.FileMaxRows = 100
	cols := []connectors.Column{col("id", connectors.KindInt), {Name: "tags", Type: connectors.ArrayOf(connectors.Scalar(connectors.KindInt))}}
	var rows [][]any
	for i := range 1000 {
		rows = append(rows, []any{int64(i), []any{int64(i), int64(i + 1)}})
	}
	f.load("s", "t", cols, rows, LoadMerge, "id")
	keys := func(gone func(int) bool) []StagedFile {
		var k [][]any
		for i := range 1000 {
			if !gone(i) {
				k = append(k, []any{int64(i)})
			}
		}
		return f.stage("s", "t", cols[:1], k)
	}
	steps := []struct {
		mode DeleteMode
		gone func(int) bool
	}{
		{DeleteSoft, func(i int) bool { return i%10 == 0 }},
		{DeleteSoft, func(i int) bool { return i%20 == 0 || i < 100 }}, // restores i%20 == 10 past 100
		{DeleteHard, func(i int) bool { return i%20 == 0 }},
	}
	for _, s := range steps {
		if _, err := f.lake.DeleteMissing(f.ctx, DeleteRequest{Schema: "s", Table: "t", PrimaryKeys: []string{"id"}, Mode: s.mode, SourceKeys: keys(s.gone)}); err != nil {
			t.Fatalf("%s: %v", s.mode, err)
		}
	}
	got := f.one(`SELECT count(*) || '/' || count(*) FILTER (WHERE _sluice_deleted_at IS NOT NULL) || '/' || sum(tags[2] - tags[1] - 1) FROM s.t`)
	if want := "950/95/0"; got != want { // 50 removed; the 95 ids under 100 not divisible by 20 marked
		t.Fatalf("rows/marked/list check = %v, want %s", got, want)
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
