package lake

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestDropTablesEndsThemInANewSnapshot drops one of two tables: it is gone
// from the current snapshot and readable at the one before, its files stay
// on disk (for maintenance), the other table is untouched, and the snapshot
// records dropped_table as the specification spells it.
func TestDropTablesEndsThemInANewSnapshot(t *testing.T) {
	f := newFixture(t)
	before := f.load("crm", "people", people, peopleRows(0, 300, "a"), LoadAppend)
	f.load("crm", "keep", people, peopleRows(0, 10, "k"), LoadAppend)
	onDisk := countFiles(t, f.lake.DataPath())

	res, err := f.lake.DropTables(f.ctx, []connectors.TableRef{{Schema: "CRM", Name: "people"}, {Schema: "crm", Name: "nope"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Dropped) != 1 || res.Dropped[0] != "crm.people" || res.SnapshotID == 0 {
		t.Fatalf("drop = %+v", res)
	}
	tables, err := f.lake.Tables(f.ctx)
	if err != nil || len(tables) != 1 || tables[0].Name != "keep" {
		t.Fatalf("tables after drop = %+v (%v)", tables, err)
	}
	if _, err := f.lake.Query(f.ctx, `SELECT count(*) FROM crm.people`, QueryOptions{}); err == nil {
		t.Fatal("the dropped table is still readable at the current snapshot")
	}
	snap := before.SnapshotID
	if n := f.one(`SELECT count(*) FROM crm.people`, QueryOptions{Snapshot: &snap}); n != int64(300) {
		t.Fatalf("time travel to before the drop reads %v rows", n)
	}
	if n := f.one(`SELECT count(*) FROM crm.keep`); n != int64(10) {
		t.Fatalf("the other table has %v rows", n)
	}
	var changes string
	if err := f.pool.QueryRow(f.ctx, `SELECT changes_made FROM lake_test.ducklake_snapshot_changes WHERE snapshot_id = $1`, res.SnapshotID).Scan(&changes); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(changes, "dropped_table:") {
		t.Fatalf("changes_made = %q", changes)
	}
	var ended int
	if err := f.pool.QueryRow(f.ctx, `SELECT count(*) FROM lake_test.ducklake_data_file WHERE end_snapshot = $1`, res.SnapshotID).Scan(&ended); err != nil || ended == 0 {
		t.Fatalf("data files ended by the drop: %d (%v)", ended, err)
	}
	if n := countFiles(t, f.lake.DataPath()); n != onDisk {
		t.Fatalf("files on disk: %d before the drop, %d after", onDisk, n)
	}
	again, err := f.lake.DropTables(f.ctx, []connectors.TableRef{{Schema: "crm", Name: "people"}})
	if err != nil || len(again.Dropped) != 0 || again.SnapshotID != 0 {
		t.Fatalf("dropping again = %+v (%v)", again, err)
	}
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
