package snowflake

import (
	"context"
	"fmt"
	"slices"

	"github.com/sluice-dev/sluice/connectors"
)

// rowWriter hands rows to a sink in batches, keeps the read's statistics,
// and for an ordered read tells a ChunkSink where every ChunkRows rows
// ended (after flushing them, so "done" means delivered).
type rowWriter struct {
	ctx       context.Context
	req       connectors.ReadRequest
	sink      connectors.RowSink
	stats     *connectors.ReadStats
	cursorIdx int
	keyIdx    []int
	batch     [][]any
	inChunk   int
	last      []any
}

func newRowWriter(ctx context.Context, req connectors.ReadRequest, sink connectors.RowSink, stats *connectors.ReadStats) *rowWriter {
	find := func(name string) int {
		return slices.IndexFunc(req.Columns, func(c connectors.Column) bool { return c.Name == name })
	}
	w := &rowWriter{ctx: ctx, req: req, sink: sink, stats: stats, cursorIdx: -1, batch: make([][]any, 0, req.BatchSize)}
	if req.CursorField != "" {
		w.cursorIdx = find(req.CursorField)
	}
	for _, k := range req.OrderBy {
		w.keyIdx = append(w.keyIdx, find(k))
	}
	return w
}

// add takes one row.
func (w *rowWriter) add(values []any) error {
	w.stats.Rows++
	w.stats.Bytes += rowSize(values)
	if w.cursorIdx >= 0 && values[w.cursorIdx] != nil && connectors.CursorGreater(values[w.cursorIdx], w.stats.MaxCursor) {
		w.stats.MaxCursor = values[w.cursorIdx]
	}
	if w.batch = append(w.batch, values); len(w.batch) == w.req.BatchSize {
		if err := w.flush(); err != nil {
			return err
		}
	}
	if len(w.keyIdx) == 0 {
		return nil
	}
	w.last = make([]any, len(w.keyIdx))
	for i, k := range w.keyIdx {
		w.last[i] = values[k]
	}
	if w.inChunk++; w.inChunk == w.req.ChunkRows {
		return w.chunkDone()
	}
	return nil
}

// finish delivers the last batch and reports the last chunk.
func (w *rowWriter) finish() error {
	if err := w.flush(); err != nil {
		return err
	}
	if w.inChunk > 0 {
		return w.chunkDone()
	}
	return nil
}

func (w *rowWriter) flush() error {
	if len(w.batch) == 0 {
		return nil
	}
	if err := w.sink.WriteBatch(w.ctx, w.batch); err != nil {
		return fmt.Errorf("read %s: write batch: %w", w.req.Table, err)
	}
	w.batch = w.batch[:0]
	return nil
}

func (w *rowWriter) chunkDone() error {
	if err := w.flush(); err != nil {
		return err
	}
	w.inChunk = 0
	if cs, ok := w.sink.(connectors.ChunkSink); ok {
		return cs.ChunkDone(w.ctx, w.last)
	}
	return nil
}

// rowSize approximates a row's size in bytes for read statistics.
func rowSize(values []any) int64 {
	var n int64
	for _, v := range values {
		switch x := v.(type) {
		case string:
			n += int64(len(x))
		case []byte:
			n += int64(len(x))
		case connectors.JSON:
			n += int64(len(x))
		case connectors.Decimal:
			n += int64(len(x))
		case nil:
		default:
			n += 8
		}
	}
	return n
}
