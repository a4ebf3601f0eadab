package lake

import (
	"fmt"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestMergeOfManyFilesInLittleMemory merges a commit of many small files
// into a table, then detects deletes (hard and soft) spread over every file
// against a key set of many files, with DuckDB held to 64 MB. Each join
// must read those files in one scan: a scan per file gave the hash join a
// sink (the search for repeated keys a window input, the soft rewrite a
// hash table) per file, whose buffers needed more than that whatever the
// number of keys.
func TestMergeOfManyFilesInLittleMemory(t *testing.T) {
	for _, mode := range []DeleteMode{DeleteHard, DeleteSoft} {
		t.Run(string(mode), func(t *testing.T) { mergeManyFilesInLittleMemory(t, mode) })
	}
}

func mergeManyFilesInLittleMemory(t *testing.T, mode DeleteMode) {
	f := newFixture(t)
	f.lake.Limits.WriterMemory = "64MB"
	cols := []connectors.Column{col("id", connectors.KindInt), col("v", connectors.KindString)}
	const files, perFile, gone = 48, 2000, 100
	batch := func(file, from int, version string) [][]any {
		var rows [][]any
		for i := from; i < perFile; i++ {
			rows = append(rows, []any{int64(file*perFile + i), version})
		}
		return rows
	}
	var first, second, keys []StagedFile
	for i := range files {
		first = append(first, f.stageOrdered("m", "t", cols, batch(i, 0, "a"), []string{"id"})...)
		// Untracked order: the second merge also searches for repeated keys.
		second = append(second, f.stage("m", "t", cols, batch(i, 0, "b"))...)
		// The source lost the first rows of every file's range.
		keyRows := batch(i, gone, "")
		for j := range keyRows {
			keyRows[j] = keyRows[j][:1]
		}
		keys = append(keys, f.stageOrdered("m", "t", cols[:1], keyRows, nil)...)
	}
	for _, load := range [][]StagedFile{first, second} {
		if _, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "m", Table: "t", Columns: cols, Method: LoadMerge,
			PrimaryKeys: []string{"id"}, Files: load}); err != nil {
			t.Fatalf("merge %d files at a 64 MB limit: %v", len(load), err)
		}
	}
	if got := f.one(`SELECT count(*) FILTER (WHERE v = 'b') || '/' || count(*) FROM m.t`); got != "96000/96000" {
		t.Fatalf("after two merges: %v rows of the second of all rows, want 96000/96000", got)
	}
	res, err := f.lake.DeleteMissing(f.ctx, DeleteRequest{Schema: "m", Table: "t", PrimaryKeys: []string{"id"}, Mode: mode, SourceKeys: keys})
	if err != nil {
		t.Fatalf("detect deletes against %d key files at a 64 MB limit: %v", len(keys), err)
	}
	if res.Deleted != files*gone {
		t.Fatalf("%s: %d rows deleted or marked, want %d", mode, res.Deleted, files*gone)
	}
	want := fmt.Sprintf("%d/%d", files*(perFile-gone), files*perFile)
	query := `SELECT count(*) || '/' || count(*) FROM m.t`
	if mode == DeleteSoft {
		query = `SELECT count(*) FILTER (WHERE _sluice_deleted_at IS NULL AND v = 'b') || '/' || count(*) FROM m.t`
	}
	if mode == DeleteHard {
		want = fmt.Sprintf("%d/%d", files*(perFile-gone), files*(perFile-gone))
	}
	if got := f.one(query); got != want {
		t.Fatalf("%s: %v, want %s", mode, got, want)
	}
}
