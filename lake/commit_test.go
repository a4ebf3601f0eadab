package lake

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

var people = []connectors.Column{
	col("id", connectors.KindInt), col("name", connectors.KindString), decimalCol("amount", 12, 2),
	col("seen_at", connectors.KindTimestampTZ), col("active", connectors.KindBool),
}

// peopleRows makes rows with ids [from, to) and a tag in every name.
func peopleRows(from, to int, tag string) [][]any {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([][]any, 0, to-from)
	for i := from; i < to; i++ {
		rows = append(rows, []any{int64(i), fmt.Sprintf("%s-%d", tag, i), connectors.Decimal(fmt.Sprintf("%d.%02d", i, i%100)),
			base.Add(time.Duration(i) * time.Minute), i%3 == 0})
	}
	return rows
}

// checksum is the md5 of the names ordered by id, computed by the lake.
func (f *fixture) checksum(table string) (int64, string) {
	f.t.Helper()
	res := f.query(`SELECT count(*), md5(coalesce(string_agg(name || ':' || amount::VARCHAR, ',' ORDER BY id), '')) FROM ` + table)
	return res.Rows[0][0].(int64), res.Rows[0][1].(string)
}

// expectedChecksum is the same checksum computed in Go.
func expectedChecksum(rows [][]any) (int64, string) {
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = fmt.Sprintf("%s:%s", r[1], r[2])
	}
	sum := md5.Sum([]byte(strings.Join(parts, ",")))
	return int64(len(rows)), hex.EncodeToString(sum[:])
}

func TestAppendThenOverwrite(t *testing.T) {
	f := newFixture(t)
	first := f.load("crm", "people", people, peopleRows(0, 500, "a"), LoadAppend)
	second := f.load("crm", "people", people, peopleRows(500, 1200, "a"), LoadAppend)
	if second.SnapshotID != first.SnapshotID+1 || second.RowsWritten != 700 || second.BytesWritten <= 0 {
		t.Fatalf("second append = %+v after %+v", second, first)
	}
	n, sum := f.checksum("crm.people")
	wn, wsum := expectedChecksum(peopleRows(0, 1200, "a"))
	if n != wn || sum != wsum {
		t.Fatalf("after appends: %d rows %s, want %d %s", n, sum, wn, wsum)
	}
	f.load("crm", "people", people, peopleRows(100, 300, "b"), LoadOverwrite)
	n, sum = f.checksum("crm.people")
	wn, wsum = expectedChecksum(peopleRows(100, 300, "b"))
	if n != wn || sum != wsum {
		t.Fatalf("after overwrite: %d rows %s, want %d %s", n, sum, wn, wsum)
	}
	// The appended rows are still there at the snapshot before the overwrite.
	if got := f.one("SELECT count(*) FROM crm.people", QueryOptions{Snapshot: &second.SnapshotID}); got != int64(1200) {
		t.Fatalf("rows at snapshot %d = %v, want 1200", second.SnapshotID, got)
	}
}

func TestMergeTwiceLeavesOneRowPerKey(t *testing.T) {
	f := newFixture(t)
	rows := peopleRows(0, 1000, "a")
	f.load("crm", "people", people, rows, LoadMerge, "id")
	f.load("crm", "people", people, rows, LoadMerge, "id")
	n, sum := f.checksum("crm.people")
	wn, wsum := expectedChecksum(rows)
	if n != wn || sum != wsum {
		t.Fatalf("after merging twice: %d rows %s, want %d %s", n, sum, wn, wsum)
	}
	if d := f.one("SELECT count(*) - count(DISTINCT id) FROM crm.people"); d != int64(0) {
		t.Fatalf("%v duplicate keys", d)
	}
}

func TestMergeOnePercent(t *testing.T) {
	f := newFixture(t)
	want := map[int64][]any{}
	rows := peopleRows(0, 10000, "a")
	for _, r := range rows {
		want[r[0].(int64)] = r
	}
	f.load("crm", "people", people, rows, LoadMerge, "id")
	// 1%: 90 changed rows spread over the table and 10 new ones.
	var change [][]any
	for i := 0; i < 9000; i += 100 {
		change = append(change, peopleRows(i, i+1, "b")...)
	}
	change = append(change, peopleRows(10000, 10010, "b")...)
	for _, r := range change {
		want[r[0].(int64)] = r
	}
	res := f.load("crm", "people", people, change, LoadMerge, "id")
	if res.RowsWritten != 100 {
		t.Fatalf("merge wrote %d rows, want 100", res.RowsWritten)
	}
	expected := make([][]any, 0, len(want))
	for i := int64(0); i < 10010; i++ {
		expected = append(expected, want[i])
	}
	n, sum := f.checksum("crm.people")
	wn, wsum := expectedChecksum(expected)
	if n != wn || sum != wsum {
		t.Fatalf("after 1%% merge: %d rows %s, want %d %s", n, sum, wn, wsum)
	}
}

func TestMergeDedupesWithinCommit(t *testing.T) {
	f := newFixture(t)
	f.lake.Limits.FileMaxRows = 3 // the repeated keys land in different files
	rows := append(peopleRows(0, 5, "a"), peopleRows(2, 7, "b")...)
	res := f.load("crm", "people", people, rows, LoadMerge, "id")
	if res.RowsWritten != 7 {
		t.Fatalf("merge wrote %d rows, want 7", res.RowsWritten)
	}
	n, sum := f.checksum("crm.people")
	wn, wsum := expectedChecksum(append(peopleRows(0, 2, "a"), peopleRows(2, 7, "b")...))
	if n != wn || sum != wsum {
		t.Fatalf("got %d rows %s, want %d %s", n, sum, wn, wsum)
	}
}

func TestIdempotentCommit(t *testing.T) {
	f := newFixture(t)
	req := CommitRequest{Schema: "crm", Table: "people", Columns: people, Method: LoadAppend, IdempotencyKey: "run-1/crm.people",
		Files: f.stage("crm", "people", people, peopleRows(0, 100, "a"))}
	first, err := f.lake.Commit(f.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	snapshots := f.snapshotCount()
	req.Files = f.stage("crm", "people", people, peopleRows(0, 100, "a"))
	again, err := f.lake.Commit(f.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Deduplicated || again.SnapshotID != first.SnapshotID || again.RowsWritten != first.RowsWritten {
		t.Fatalf("second commit = %+v, first = %+v", again, first)
	}
	if got := f.snapshotCount(); got != snapshots {
		t.Fatalf("the second commit added %d snapshots", got-snapshots)
	}
	if got := f.one("SELECT count(*) FROM crm.people"); got != int64(100) {
		t.Fatalf("%v rows, want 100", got)
	}
}

func TestAbortKeepsCommittedFiles(t *testing.T) {
	f := newFixture(t)
	w, err := f.lake.NewTableWriter(f.ctx, "crm", "people", people)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort() // the usual pattern: must not undo the commit below
	if err := w.WriteBatch(f.ctx, peopleRows(0, 10, "a")); err != nil {
		t.Fatal(err)
	}
	files, err := w.Finish(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "crm", Table: "people", Columns: people, Method: LoadAppend, Files: files}); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if got := f.one("SELECT count(*) FROM crm.people"); got != int64(10) {
		t.Fatalf("%v rows after Abort", got)
	}

	// A writer aborted before its commit leaves nothing behind.
	w2, err := f.lake.NewTableWriter(f.ctx, "crm", "people", people)
	if err != nil {
		t.Fatal(err)
	}
	f.lake.Limits.FileMaxRows = 5
	if err := w2.WriteBatch(f.ctx, peopleRows(0, 12, "b")); err != nil {
		t.Fatal(err)
	}
	if err := w2.wait(f.ctx); err != nil { // the second file is written in the background
		t.Fatal(err)
	}
	staged := append([]StagedFile(nil), w2.staged...)
	w2.Abort()
	if len(staged) != 2 {
		t.Fatalf("%d files staged before Finish, want 2", len(staged))
	}
	for _, s := range staged {
		if _, err := os.Stat(s.Path); !os.IsNotExist(err) {
			t.Fatalf("%s survived Abort", s.Path)
		}
	}
}
