package lake

import (
	"fmt"
	"slices"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// stageTracked writes people rows with key order tracking on id.
func (f *fixture) stageTracked(rows [][]any) []StagedFile {
	f.t.Helper()
	return f.stageOrdered("crm", "people", people, rows, []string{"id"})
}

func TestTrackKeyOrderMarksAscendingFiles(t *testing.T) {
	f := newFixture(t)
	f.lake.Limits.FileMaxRows = 4
	rows := peopleRows(0, 10, "a")
	rows[9][0] = int64(8) // the last file (rows 8, 9) repeats a key
	files := f.stageTracked(rows)
	if len(files) != 3 {
		t.Fatalf("%d files, want 3", len(files))
	}
	for i, want := range [][]string{{"0", "3"}, {"4", "7"}, nil} {
		got := files[i]
		if want == nil {
			if got.KeyColumns != nil {
				t.Errorf("file %d marked %v %v–%v, want unmarked", i, got.KeyColumns, got.FirstKey, got.LastKey)
			}
			continue
		}
		if !slices.Equal(got.KeyColumns, []string{"id"}) || got.FirstKey[0] != want[0] || got.LastKey[0] != want[1] {
			t.Errorf("file %d marked %v %v–%v, want id %s–%s", i, got.KeyColumns, got.FirstKey, got.LastKey, want[0], want[1])
		}
	}
}

func TestTrackKeyOrderRefusesUnorderedKinds(t *testing.T) {
	f := newFixture(t)
	w, err := f.lake.NewTableWriter(f.ctx, "crm", "people", people)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if err := w.TrackKeyOrder([]string{"amount"}); err == nil {
		t.Error("tracking a decimal key: no error")
	}
	if err := w.TrackKeyOrder([]string{"missing"}); err == nil {
		t.Error("tracking a missing column: no error")
	}
}

func TestKeysUnique(t *testing.T) {
	ints := []schemaColumn{{Name: "k0", Type: connectors.Scalar(connectors.KindInt)}}
	file := func(first, last string) StagedFile {
		return StagedFile{Columns: []FileColumn{{Name: "id", Type: connectors.Scalar(connectors.KindInt)}},
			KeyColumns: []string{"id"}, FirstKey: []string{first}, LastKey: []string{last}}
	}
	cases := []struct {
		name  string
		files []StagedFile
		want  bool
	}{
		{"disjoint, out of order", []StagedFile{file("10", "19"), file("-5", "9")}, true},
		{"compared as numbers", []StagedFile{file("9", "9"), file("10", "99")}, true},
		{"overlapping", []StagedFile{file("0", "10"), file("10", "20")}, false},
		{"one unmarked", []StagedFile{file("0", "1"), {Columns: file("", "").Columns}}, false},
	}
	for _, c := range cases {
		if got := keysUnique(c.files, []string{"id"}, ints); got != c.want {
			t.Errorf("%s: keysUnique = %v, want %v", c.name, got, c.want)
		}
	}
	strs := []schemaColumn{{Name: "k0", Type: connectors.Scalar(connectors.KindString)}}
	if keysUnique([]StagedFile{file("0", "1")}, []string{"id"}, strs) {
		t.Error("int files against a string key column: unique")
	}
}

// TestMergeOfTrackedFiles merges files marked by their writer: into an
// empty table they go in as they are, and into a full one the existing rows
// of their keys are still replaced.
func TestMergeOfTrackedFiles(t *testing.T) {
	f := newFixture(t)
	f.lake.Limits.FileMaxRows = 100
	files := f.stageTracked(peopleRows(0, 1000, "a"))
	res, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "crm", Table: "people", Columns: people, Method: LoadMerge, PrimaryKeys: []string{"id"}, Files: files})
	if err != nil || res.RowsWritten != 1000 {
		t.Fatalf("first merge: %+v, %v", res, err)
	}
	files = f.stageTracked(peopleRows(950, 1050, "b"))
	if _, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "crm", Table: "people", Columns: people, Method: LoadMerge, PrimaryKeys: []string{"id"}, Files: files}); err != nil {
		t.Fatal(err)
	}
	n, sum := f.checksum("crm.people")
	wn, wsum := expectedChecksum(append(peopleRows(0, 950, "a"), peopleRows(950, 1050, "b")...))
	if n != wn || sum != wsum {
		t.Fatalf("got %d rows %s, want %d %s", n, sum, wn, wsum)
	}
}

// TestAnyOrderFilesKeepRowsAndRepeatsKeepOrder stages files of several row
// groups with key order tracking: ascending keys, which DuckDB may write in
// any order, must all arrive with their marks; a file that repeats keys
// keeps its order, so its later row of a key is the one a merge keeps.
func TestAnyOrderFilesKeepRowsAndRepeatsKeepOrder(t *testing.T) {
	const n = 300_000 // about three of DuckDB's row groups
	f := newFixture(t)
	f.lake.Limits.FileMaxRows = 2 * n
	files := f.stageTracked(peopleRows(0, n, "a"))
	if len(files) != 1 || files[0].Rows != n || files[0].FirstKey == nil || files[0].FirstKey[0] != "0" || files[0].LastKey[0] != "299999" {
		t.Fatalf("ascending rows staged as %d files, the first marked %v–%v", len(files), files[0].FirstKey, files[0].LastKey)
	}
	if _, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "crm", Table: "people", Columns: people, Method: LoadMerge,
		PrimaryKeys: []string{"id"}, Files: files}); err != nil {
		t.Fatal(err)
	}
	if got, want := f.one(`SELECT sum(id) FROM crm.people`), fmt.Sprint(int64(n)*(n-1)/2); fmt.Sprint(got) != want {
		t.Fatalf("sum of ids %v, want %s", got, want)
	}
	// Every key twice, tags "b" then "c": the file is not marked, keeps its
	// order, and the merge keeps each key's "c".
	repeated := append(peopleRows(0, n/2, "b"), peopleRows(0, n/2, "c")...)
	files = f.stageTracked(repeated)
	if len(files) != 1 || files[0].KeyColumns != nil {
		t.Fatalf("repeated keys staged as %d files, marked %v", len(files), files[0].KeyColumns)
	}
	if _, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "crm", Table: "people", Columns: people, Method: LoadMerge,
		PrimaryKeys: []string{"id"}, Files: files}); err != nil {
		t.Fatal(err)
	}
	if got := f.one(`SELECT count(*) FROM crm.people WHERE id < 150000 AND name NOT LIKE 'c-%'`); got != int64(0) {
		t.Fatalf("%v rows of the first 150000 keys are not the last ones staged", got)
	}
	if got := f.one(`SELECT count(*) FROM crm.people`); got != int64(n) {
		t.Fatalf("%v rows after the merge, want %d", got, n)
	}
}
