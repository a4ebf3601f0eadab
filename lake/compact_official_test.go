package lake

import (
	"fmt"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// TestOfficialClientReadsCompactedLake: after sluice compacts a table (some
// files with deletes) and expires every snapshot before the compaction, the
// official ducklake client reads each row with the row id it had before
// compaction, and the rows of a later merge as sluice does. It runs when
// SLUICE_DUCKDB_CLI names that client (e.g. ../shared/ducklake/duckdb).
func TestOfficialClientReadsCompactedLake(t *testing.T) {
	cli := officialCLI(t)
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), col("v", connectors.KindString)}
	for i := range 8 {
		f.load("o", "t", cols, [][]any{{int64(i), fmt.Sprint("a", i)}, {int64(i + 100), "b"}}, LoadMerge, "id")
	}
	f.load("o", "t", cols, [][]any{{int64(3), "updated"}, {int64(105), "updated"}}, LoadMerge, "id")
	want := f.rowIDs("t")
	res, err := f.lake.CompactTable(f.ctx, "o", "t", CompactOptions{})
	if err != nil || res.FilesAfter != 1 {
		t.Fatalf("compact: %+v %v", res, err)
	}
	time.Sleep(10 * time.Millisecond)
	if _, err := f.lake.ExpireSnapshots(f.ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	later := f.load("o", "t", cols, [][]any{{int64(7), "again"}}, LoadMerge, "id").SnapshotID

	o := newOfficialLake(t, f, cli)
	qs := []*officialQuery{
		{sql: fmt.Sprintf("SELECT CAST(rowid AS VARCHAR) AS c0, CAST(id AS VARCHAR) AS c1 FROM lake.o.t AT (VERSION => %d) ORDER BY rowid", res.SnapshotID)},
		{sql: "SELECT CAST(id AS VARCHAR) AS c0, v AS c1 FROM lake.o.t ORDER BY id"},
	}
	o.batch(qs)
	got := map[string]string{}
	for _, r := range qs[0].rows {
		got[*r[0]] = *r[1]
	}
	if len(got) != len(want) {
		t.Fatalf("official client reads %d rows at the compaction, want %d: %v", len(got), len(want), got)
	}
	for rid, id := range want {
		if got[fmt.Sprint(rid)] != fmt.Sprint(id) {
			t.Fatalf("official client: row id %d holds id %s, sluice had %d (all: %v)", rid, got[fmt.Sprint(rid)], id, got)
		}
	}
	sluice := f.sluiceRows("SELECT CAST(id AS VARCHAR) AS c0, v AS c1 FROM o.t ORDER BY id", later)
	if !sameRows(qs[1].rows, sluice) {
		t.Fatalf("latest snapshot:\n official client: %s\n sluice:          %s", showRows(qs[1].rows), showRows(sluice))
	}
}
