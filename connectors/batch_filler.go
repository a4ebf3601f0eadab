package connectors

// BatchMaxBytes ends a batch early once its values hold this many bytes, so
// the batches in a BatchPipe stay small however wide the rows.
const BatchMaxBytes = 4 << 20

// BatchFiller is the part of a reader's batcher that every source shares: it
// takes empty batches from a BatchPipe, ends a batch at Size rows or
// BatchMaxBytes, hands full ones to the sink through the pipe, and
// remembers the OrderBy key of the last row handed on and the greatest
// cursor value. The batcher appends each row's values to Cur's columns
// between Row and EndRow.
type BatchFiller struct {
	Pipe  *BatchPipe
	Stats *ReadStats
	// Size is the rows of a batch.
	Size int
	// Layouts and Scales set up each column of a new batch.
	Layouts []Layout
	Scales  []int
	// KeyIdx are the OrderBy columns' positions; Cursor is the cursor
	// column's, or -1.
	KeyIdx []int
	Cursor int
	// Cur is the batch being filled (nil between batches); Bytes counts
	// the value bytes in it.
	Cur   *ColumnBatch
	Bytes int
	// Rows counts the rows added; LastKey is the OrderBy key of the last
	// row handed on.
	Rows    int64
	LastKey []any
}

// Row makes sure a batch is open for the next row, taking an empty one from
// the pipe (and setting up its columns) when none is.
func (f *BatchFiller) Row() error {
	if f.Cur != nil {
		return nil
	}
	batch, err := f.Pipe.Get()
	if err != nil {
		return err
	}
	if len(batch.Cols) != len(f.Layouts) {
		batch.Cols = make([]ColumnVector, len(f.Layouts))
	}
	for i := range batch.Cols {
		batch.Cols[i].Layout, batch.Cols[i].Scale = f.Layouts[i], f.Scales[i]
	}
	f.Cur = batch
	return nil
}

// EndRow counts the row whose values were just appended, and hands the
// batch on once it is full.
func (f *BatchFiller) EndRow() {
	f.Cur.Len++
	f.Rows++
	f.Stats.Rows++
	if f.Cur.Len >= f.Size || f.Bytes >= BatchMaxBytes {
		f.Flush()
	}
}

// Flush hands the current batch to the sink, noting its last key and its
// greatest cursor value first.
func (f *BatchFiller) Flush() {
	if f.Cur == nil || f.Cur.Len == 0 {
		return
	}
	if len(f.KeyIdx) > 0 {
		f.LastKey = f.Cur.KeyOf(f.Cur.Len-1, f.KeyIdx)
	}
	if f.Cursor >= 0 {
		f.Stats.MaxCursor = f.Cur.GreatestOf(f.Cursor, f.Stats.MaxCursor)
	}
	f.Pipe.Put(f.Cur)
	f.Cur, f.Bytes = nil, 0
}
