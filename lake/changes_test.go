package lake

import (
	"fmt"
	"testing"
)

// TestMergeWithDeletedKeysIsOneSnapshot upserts some keys and deletes others
// in one commit, as change data capture does, and reads the rows an update
// left unsent back by key.
func TestMergeWithDeletedKeysIsOneSnapshot(t *testing.T) {
	f, keys := deleteFixture(t, 100)
	snaps := f.snapshotCount()
	upserts := f.stage("s", "t", deleteCols, [][]any{{int64(2), "changed", `{"b": 2}`}, {int64(101), "new", nil}})
	res, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "s", Table: "t", Columns: deleteCols, Method: LoadMerge, PrimaryKeys: []string{"id"},
		Files: upserts, DeletedKeys: keys(3, 60, 1000), IdempotencyKey: "cdc/t/1"})
	if err != nil {
		t.Fatalf("merge with deleted keys: %v", err)
	}
	if f.snapshotCount() != snaps+1 {
		t.Fatalf("the changes took %d snapshots, want 1", f.snapshotCount()-snaps)
	}
	if n := f.one("SELECT count(*) FROM s.t"); n != int64(99) {
		t.Fatalf("rows: %v, want 100 + 1 new - 2 deleted", n)
	}
	if n := f.one("SELECT count(*) FROM s.t WHERE id IN (3, 60)"); n != int64(0) {
		t.Fatalf("deleted keys still there: %v", n)
	}
	if v := f.one("SELECT name FROM s.t WHERE id = 2"); v != "changed" {
		t.Fatalf("upserted row: %v", v)
	}
	before := res.SnapshotID - 1
	if n := f.one("SELECT count(*) FROM s.t", QueryOptions{Snapshot: &before}); n != int64(100) {
		t.Fatalf("the previous snapshot changed: %v", n)
	}
	// Only deletes: no new file, still one snapshot.
	if _, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "s", Table: "t", Columns: deleteCols, Method: LoadMerge, PrimaryKeys: []string{"id"},
		DeletedKeys: keys(4)}); err != nil {
		t.Fatalf("deletes only: %v", err)
	}
	if n := f.one("SELECT count(*) FROM s.t"); n != int64(98) {
		t.Fatalf("rows after deleting one more: %v", n)
	}
	var got []string
	err = f.lake.RowsByKey(f.ctx, "s", "t", []string{"id"}, keys(2, 4, 5, 101), func(names []string, row []any) error {
		if len(names) != 3 || names[0] != "id" {
			t.Errorf("names %v", names)
		}
		got = append(got, fmt.Sprint(row...))
		return nil
	})
	if err != nil || len(got) != 3 {
		t.Fatalf("rows by key: %v %v", got, err)
	}
	for _, want := range []string{"2changed", "5n5", "101new"} {
		found := false
		for _, g := range got {
			found = found || len(g) >= len(want) && g[:len(want)] == want
		}
		if !found {
			t.Errorf("rows by key %v lack %s", got, want)
		}
	}
}

// TestMergeOfBatchesDeletesRowsOfEarlierBatches commits three batches of
// changes at once, each its rows and deleted keys apart: a key deleted by a
// later batch loses the row an earlier one wrote, a key written again after
// its deletion keeps its new row, and the last row of a key wins.
func TestMergeOfBatchesDeletesRowsOfEarlierBatches(t *testing.T) {
	f, keys := deleteFixture(t, 20)
	row := func(id int, name string) []any { return []any{int64(id), name, nil} }
	// Batch 1: 2 and 30 written, 5 deleted. Batch 2: 2 and 30 deleted, 5
	// and 31 written. Batch 3: 2 written again, 31 written again, 7 deleted.
	batch1 := f.stage("s", "t", deleteCols, [][]any{row(2, "one"), row(30, "one")})
	batch2 := f.stage("s", "t", deleteCols, [][]any{row(5, "two"), row(31, "two")})
	batch3 := f.stage("s", "t", deleteCols, [][]any{row(2, "three"), row(31, "three")})
	files := append(append(append([]StagedFile{}, batch1...), batch2...), batch3...)
	gone := append(append(append([]StagedFile{}, keys(5)...), keys(2, 30)...), keys(7)...)
	after := []int{0, len(batch1), len(batch1) + len(batch2)}
	if _, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "s", Table: "t", Columns: deleteCols, Method: LoadMerge, PrimaryKeys: []string{"id"},
		Files: files, DeletedKeys: gone, DeletedKeysAfter: after}); err != nil {
		t.Fatalf("merge of batches: %v", err)
	}
	var got []string
	for _, id := range []int{2, 5, 7, 30, 31} {
		got = append(got, fmt.Sprint(f.one(fmt.Sprintf("SELECT coalesce(string_agg(name, ','), '-') FROM s.t WHERE id = %d", id))))
	}
	if want := "three two - - three"; fmt.Sprint(got) != "["+want+"]" {
		t.Fatalf("rows of 2, 5, 7, 30, 31: %v, want [%s]", got, want)
	}
	if n := f.one("SELECT count(*) FROM s.t"); n != int64(20-1+1) {
		t.Fatalf("rows: %v, want 20 less 7 with 31", n)
	}
	// A position per key file is required.
	if _, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "s", Table: "t", Columns: deleteCols, Method: LoadMerge, PrimaryKeys: []string{"id"},
		Files: f.stage("s", "t", deleteCols, [][]any{row(40, "x")}), DeletedKeys: keys(1), DeletedKeysAfter: []int{0, 1}}); err == nil {
		t.Fatal("a commit with more positions than key files succeeded")
	}
}
