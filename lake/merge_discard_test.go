package lake

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestMergeLeavesNoStrayDeleteFiles merges keys whose rows were already
// deleted (a key updated twice matches its first row again), a whole file
// without deletes and the rest of a file with deletes: the rows are right
// and every file in the table's directory is one the catalog knows, so the
// delete files a merge wrote and then found it did not need are gone.
func TestMergeLeavesNoStrayDeleteFiles(t *testing.T) {
	f := newFixture(t)
	f.lake.Limits.FileMaxRows = 100
	columns := []connectors.Column{col("id", connectors.KindInt), col("name", connectors.KindString)}
	f.load("m", "t", columns, tagged(0, 1000, "v0"), LoadMerge, "id")
	f.load("m", "t", columns, tagged(0, 50, "v1"), LoadMerge, "id")
	f.load("m", "t", columns, tagged(0, 50, "v2"), LoadMerge, "id")    // file 0's deleted rows match again
	f.load("m", "t", columns, tagged(100, 200, "v3"), LoadMerge, "id") // every row of a file without deletes
	f.load("m", "t", columns, tagged(50, 100, "v4"), LoadMerge, "id")  // the rest of a file with deletes

	if n := f.one(`SELECT count(*) FROM m.t`); n != int64(1000) {
		t.Errorf("%v rows, want 1000", n)
	}
	for tag, want := range map[string]int64{"v0": 800, "v1": 0, "v2": 50, "v3": 100, "v4": 50} {
		if n := f.one(fmt.Sprintf(`SELECT count(*) FROM m.t WHERE name = '%s'`, tag)); n != want {
			t.Errorf("%v rows tagged %s, want %d", n, tag, want)
		}
	}
	var known int
	err := f.pool.QueryRow(f.ctx, `SELECT (SELECT count(*) FROM lake_test.ducklake_data_file)
		+ (SELECT count(*) FROM lake_test.ducklake_delete_file)
		+ (SELECT count(*) FROM lake_test.ducklake_files_scheduled_for_deletion)`).Scan(&known)
	if err != nil {
		t.Fatal(err)
	}
	onDisk, err := filepath.Glob(filepath.Join(f.lake.DataPath(), "m", "t", "*.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(onDisk) != known {
		entries, _ := os.ReadDir(filepath.Join(f.lake.DataPath(), "m", "t"))
		t.Errorf("%d files in the table's directory, the catalog knows %d: %v", len(onDisk), known, entries)
	}
}

// tagged is rows from..to-1 with name set to tag.
func tagged(from, to int64, tag string) [][]any {
	var out [][]any
	for i := from; i < to; i++ {
		out = append(out, []any{i, tag})
	}
	return out
}
