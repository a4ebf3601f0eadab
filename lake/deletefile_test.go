package lake

import (
	"context"
	"fmt"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestRepeatedDeletesWritePartialDeleteFile: merges that delete rows of one
// data file again and again leave one partial deletion file, as the
// official writer does: every position with the snapshot that deleted it,
// begin_snapshot the first of them, partial_max the last; the replaced
// files are scheduled for deletion; time travel still sees each snapshot's
// rows. (A chain of full-union files made ducklake_table_changes count the
// early deletes again for every later file.)
func TestRepeatedDeletesWritePartialDeleteFile(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), col("name", connectors.KindString)}
	rows := func(from, to int, tag string) [][]any {
		var out [][]any
		for i := from; i < to; i++ {
			out = append(out, []any{int64(i), tag})
		}
		return out
	}
	f.load("s", "t", cols, rows(0, 100, "a"), LoadAppend)
	var snaps []int64
	for i, tag := range []string{"b", "c", "d"} {
		snaps = append(snaps, f.load("s", "t", cols, rows(10+10*i, 20+10*i, tag), LoadMerge, "id").SnapshotID)
	}
	c := conformance{f: f}
	del := c.rows(`SELECT x.begin_snapshot, x.end_snapshot, x.partial_max, x.delete_count, x.path FROM {S}.ducklake_delete_file x
		JOIN {S}.ducklake_data_file d USING (data_file_id) WHERE d.begin_snapshot = 1`)
	if len(del) != 1 {
		t.Fatalf("the first data file has %d delete file rows, want 1: %v", len(del), del)
	}
	if del[0][0] != snaps[0] || del[0][1] != nil || del[0][2] != snaps[2] || del[0][3] != int64(30) {
		t.Errorf("delete file (begin, end, partial_max, count) = %v, want (%d, nil, %d, 30)", del[0][:4], snaps[0], snaps[2])
	}
	if n := len(c.rows(`SELECT * FROM {S}.ducklake_files_scheduled_for_deletion`)); n != 2 {
		t.Errorf("%d replaced delete files scheduled for deletion, want 2", n)
	}
	d, err := openDuck(context.Background(), "100MB", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	path := f.lake.DataPath() + "/s/t/" + del[0][4].(string)
	var got string
	if err := d.conn.QueryRowContext(f.ctx, fmt.Sprintf(`SELECT string_agg(%s || ':' || cnt, ',' ORDER BY %[1]s) FROM
		(SELECT %[1]s, count(*) AS cnt FROM read_parquet(%s) GROUP BY ALL)`, snapshotIDColumn, quoteString(path))).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d:10,%d:10,%d:10", snaps[0], snaps[1], snaps[2]); got != want {
		t.Errorf("positions per snapshot %s, want %s", got, want)
	}
	for i, s := range snaps {
		if n := f.one(`SELECT count(*) FROM s.t WHERE name = 'a'`, QueryOptions{Snapshot: &s}); n != int64(90-10*i) {
			t.Errorf("at snapshot %d, %v original rows, want %d", s, n, 90-10*i)
		}
	}
}
