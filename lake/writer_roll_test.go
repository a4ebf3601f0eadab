package lake

import (
	"context"
	"os"
	"slices"
	"testing"
)

// TestSealHandsOverFilesInOrder seals chunks whose files are written in the
// background, the first under a context that ends at once: each seal gets
// its own files, in order, Finish returns only the rest, and Abort leaves
// the sealed files alone.
func TestSealHandsOverFilesInOrder(t *testing.T) {
	f := newFixture(t)
	f.lake.Limits.FileMaxRows = 40
	w, err := f.lake.NewTableWriter(f.ctx, "crm", "people", people)
	if err != nil {
		t.Fatal(err)
	}
	var sealed [][]StagedFile
	record := func(_ context.Context, files []StagedFile) error { sealed = append(sealed, files); return nil }
	short, cancel := context.WithCancel(f.ctx)
	if err := w.WriteBatch(short, peopleRows(0, 100, "a")); err != nil { // files of 40, 40 and, sealed, 20 rows
		t.Fatal(err)
	}
	if err := w.Seal(short, record); err != nil {
		t.Fatal(err)
	}
	cancel()                                      // the caller's context ends while the last file is written
	if err := w.Seal(f.ctx, record); err != nil { // nothing new: an empty seal
		t.Fatal(err)
	}
	if err := w.WriteBatch(f.ctx, peopleRows(100, 130, "a")); err != nil {
		t.Fatal(err)
	}
	if err := w.Seal(f.ctx, record); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteBatch(f.ctx, peopleRows(130, 150, "a")); err != nil {
		t.Fatal(err)
	}
	rest, err := w.Finish(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	counts := [][]int64{}
	var all []StagedFile
	for _, files := range append(sealed, rest) {
		var rows []int64
		for _, file := range files {
			rows = append(rows, file.Rows)
			if _, err := os.Stat(file.Path); err != nil {
				t.Errorf("%s: %v", file.Path, err)
			}
		}
		counts = append(counts, rows)
		all = append(all, files...)
	}
	want := [][]int64{{40, 40, 20}, nil, {30}, {20}}
	if len(counts) != len(want) {
		t.Fatalf("files per seal (and Finish) = %v, want %v", counts, want)
	}
	for i := range want {
		if !slices.Equal(counts[i], want[i]) {
			t.Fatalf("files per seal (and Finish) = %v, want %v", counts, want)
		}
	}
	if _, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "crm", Table: "people", Columns: people, Method: LoadAppend, Files: all}); err != nil {
		t.Fatal(err)
	}
	n, sum := f.checksum("crm.people")
	wn, wsum := expectedChecksum(peopleRows(0, 150, "a"))
	if n != wn || sum != wsum {
		t.Fatalf("got %d rows %s, want %d %s", n, sum, wn, wsum)
	}
}

// TestAbortKeepsSealedFiles aborts a writer with a sealed file and rows
// after it: the sealed file is the caller's and stays.
func TestAbortKeepsSealedFiles(t *testing.T) {
	f := newFixture(t)
	w, err := f.lake.NewTableWriter(f.ctx, "crm", "people", people)
	if err != nil {
		t.Fatal(err)
	}
	var sealed []StagedFile
	if err := w.WriteBatch(f.ctx, peopleRows(0, 10, "a")); err != nil {
		t.Fatal(err)
	}
	if err := w.Seal(f.ctx, func(_ context.Context, files []StagedFile) error { sealed = files; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteBatch(f.ctx, peopleRows(10, 20, "a")); err != nil {
		t.Fatal(err)
	}
	if err := w.Seal(f.ctx, func(context.Context, []StagedFile) error { return nil }); err != nil { // waits for the first file
		t.Fatal(err)
	}
	w.Abort()
	if len(sealed) != 1 {
		t.Fatalf("%d sealed files, want 1", len(sealed))
	}
	if _, err := os.Stat(sealed[0].Path); err != nil {
		t.Fatalf("sealed file after Abort: %v", err)
	}
}
