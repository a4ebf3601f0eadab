package lake

import (
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestMergeOfManyFilesInLittleMemory merges a commit of many small files
// into a table, and detects deletes against a key set of many files, with
// DuckDB held to 64 MB. The key match's build side must be one scan of all
// the new files: as a scan per file, each gave the hash join its own sink,
// whose buffers needed more than that whatever the number of keys.
func TestMergeOfManyFilesInLittleMemory(t *testing.T) {
	f := newFixture(t)
	f.lake.Limits.WriterMemory = "64MB"
	cols := []connectors.Column{col("id", connectors.KindInt), col("v", connectors.KindString)}
	const files, perFile = 48, 2000
	batch := func(file int, version string) [][]any {
		rows := make([][]any, perFile)
		for i := range rows {
			id := int64(file*perFile + i)
			rows[i] = []any{id, version}
		}
		return rows
	}
	var first, second, keys []StagedFile
	for i := range files {
		first = append(first, f.stageOrdered("m", "t", cols, batch(i, "a"), []string{"id"})...)
		second = append(second, f.stageOrdered("m", "t", cols, batch(i, "b"), []string{"id"})...)
		keys = append(keys, f.stageOrdered("m", "t", cols[:1], mapRows(batch(i, ""), func(r []any) []any { return r[:1] }), nil)...)
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
	res, err := f.lake.DeleteMissing(f.ctx, DeleteRequest{Schema: "m", Table: "t", PrimaryKeys: []string{"id"}, Mode: DeleteHard, SourceKeys: keys[:files-1]})
	if err != nil {
		t.Fatalf("detect deletes against %d key files at a 64 MB limit: %v", files-1, err)
	}
	if res.Deleted != perFile {
		t.Fatalf("deleted %d rows, want the last file's %d", res.Deleted, perFile)
	}
}

func mapRows(rows [][]any, fn func([]any) []any) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = fn(r)
	}
	return out
}
