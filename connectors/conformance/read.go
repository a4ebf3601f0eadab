package conformance

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// collectSink keeps every row it is given.
type collectSink struct{ rows [][]any }

func (s *collectSink) WriteBatch(_ context.Context, rows [][]any) error {
	s.rows = append(s.rows, rows...)
	return nil
}

// testRead reads kinds in full, in resumable chunks, after a resume key and
// incrementally past a cursor, and checks the values match Query's.
func testRead(t *testing.T, f Fixture) {
	reader := open[connectors.Reader](t, f)
	ref := connectors.TableRef{Schema: f.Schema, Name: f.name("kinds")}
	cols, err := open[connectors.Discoverer](t, f).Columns(ctx(t), ref)
	if err != nil {
		t.Fatal(err)
	}
	id := f.name("id")
	read := func(req connectors.ReadRequest) ([][]any, connectors.ReadStats) {
		t.Helper()
		req.Table, req.Columns = ref, cols
		var sink collectSink
		stats, err := reader.Read(ctx(t), req, &sink)
		if err != nil {
			t.Fatalf("read %+v: %v", req, err)
		}
		if stats.Rows != int64(len(sink.rows)) {
			t.Fatalf("stats say %d rows, sink got %d", stats.Rows, len(sink.rows))
		}
		return sink.rows, stats
	}
	all, _ := read(connectors.ReadRequest{BatchSize: 2})
	if len(all) != 3 {
		t.Fatalf("full read: %d rows, want 3", len(all))
	}
	chunked, _ := read(connectors.ReadRequest{OrderBy: []string{id}, ChunkRows: 1, BatchSize: 1})
	if len(chunked) != 3 || chunked[0][0] != int64(1) || chunked[2][0] != int64(3) {
		t.Fatalf("chunked read: %v", chunked)
	}
	resumed, _ := read(connectors.ReadRequest{OrderBy: []string{id}, ResumeAfter: []any{int64(1)}, ChunkRows: 10})
	if len(resumed) != 2 || resumed[0][0] != int64(2) {
		t.Fatalf("resumed read: %v", resumed)
	}
	q, err := open[connectors.Querier](t, f).Query(ctx(t), "SELECT * FROM "+f.QualifiedTable+" WHERE id = 1", connectors.QueryOptions{MaxRows: 1, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range chunked[0] {
		if !sameValue(v, q.Rows[0][i]) {
			t.Errorf("column %s: Read gave %#v, Query gave %#v", cols[i].Name, v, q.Rows[0][i])
		}
	}
	incremental, stats := read(connectors.ReadRequest{CursorField: id, CursorAfter: int64(2)})
	if len(incremental) != 1 || incremental[0][0] != int64(3) || stats.MaxCursor != int64(3) {
		t.Fatalf("incremental read: %v (max cursor %v)", incremental, stats.MaxCursor)
	}
}

func sameValue(a, b any) bool {
	switch x := a.(type) {
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case connectors.JSON:
		// Discovery knows a JSON column that result metadata may not (a Quirk).
		return string(x) == fmt.Sprint(b)
	}
	return a == b
}
