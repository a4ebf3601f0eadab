package snowflake

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

type chunkSink struct {
	events []string
	chunks [][]any
}

func (s *chunkSink) WriteBatch(_ context.Context, rows [][]any) error {
	s.events = append(s.events, "batch")
	return nil
}

func (s *chunkSink) ChunkDone(_ context.Context, lastKey []any) error {
	s.events = append(s.events, "chunk")
	s.chunks = append(s.chunks, lastKey)
	return nil
}

// TestRowWriterChunks: every ChunkRows rows of an ordered read are flushed
// and then reported done; the cursor maximum does not depend on the order.
func TestRowWriterChunks(t *testing.T) {
	req := connectors.ReadRequest{Columns: readCols, OrderBy: []string{"ID"}, ChunkRows: 2, BatchSize: 10, CursorField: "UPDATED_AT"}
	var stats connectors.ReadStats
	sink := &chunkSink{}
	w := newRowWriter(context.Background(), req, sink, &stats)
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, ts := range []time.Time{at, at.Add(time.Hour), at.Add(-time.Hour)} {
		if err := w.add([]any{int64(i + 1), "x", ts}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.finish(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sink.events, []string{"batch", "chunk", "batch", "chunk"}) {
		t.Fatalf("events = %v", sink.events)
	}
	if sink.chunks[0][0] != int64(2) || sink.chunks[1][0] != int64(3) || stats.Rows != 3 || stats.MaxCursor != at.Add(time.Hour) {
		t.Fatalf("chunks %v, stats %+v", sink.chunks, stats)
	}
}
