package conformance

import (
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// testKeyRanges checks what a split table's copy needs of a connector that
// offers KeyBounder: the bounds of the integer key, and reads of one range
// (after one key, up to another) that return exactly its rows.
func testKeyRanges(t *testing.T, f Fixture) {
	reader := open[connectors.Reader](t, f)
	bounder, ok := reader.(connectors.KeyBounder)
	if !ok {
		t.Skip("no KeyBounder: the connector's tables are always copied whole")
	}
	ref := connectors.TableRef{Schema: f.Schema, Name: f.name("kinds")}
	id := f.name("id")
	lo, hi, ok, err := bounder.KeyBounds(ctx(t), ref, id)
	if err != nil || !ok || lo != 1 || hi != 3 {
		t.Fatalf("KeyBounds = %d, %d, %v, %v; want 1, 3", lo, hi, ok, err)
	}
	cols := []connectors.Column{{Name: id}}
	for _, tc := range []struct {
		after, upTo []any
		want        []int64
	}{
		{nil, []any{int64(1)}, []int64{1}},
		{[]any{int64(1)}, []any{int64(2)}, []int64{2}},
		{[]any{int64(2)}, nil, []int64{3}},
		{[]any{int64(0)}, []any{int64(3)}, []int64{1, 2, 3}},
	} {
		var sink collectSink
		req := connectors.ReadRequest{Table: ref, Columns: cols, OrderBy: []string{id}, ResumeAfter: tc.after, UpTo: tc.upTo, ChunkRows: 2}
		if _, err := reader.Read(ctx(t), req, &sink); err != nil {
			t.Fatalf("read after %v up to %v: %v", tc.after, tc.upTo, err)
		}
		var got []int64
		for _, r := range sink.rows {
			got = append(got, r[0].(int64))
		}
		if len(got) != len(tc.want) || (len(got) > 0 && (got[0] != tc.want[0] || got[len(got)-1] != tc.want[len(tc.want)-1])) {
			t.Errorf("read after %v up to %v = ids %v, want %v", tc.after, tc.upTo, got, tc.want)
		}
	}
}
