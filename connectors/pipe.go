package connectors

import "context"

// pipeDepth is how many batches circulate between the decoder and the sink:
// enough that decoding goes on while the sink writes (or seals a chunk's
// files), few enough to bound memory.
const pipeDepth = 4

// BatchPipe hands decoded batches to the sink in a goroutine of its own, so
// decoding rows (with the server sending them) and writing them use two
// cores. Batches come back to a free list once written, and chunk ends
// travel in order with the batches.
type BatchPipe struct {
	ctx    context.Context
	sink   RowSink
	work   chan pipeItem
	free   chan *ColumnBatch
	failed chan struct{} // closed on the sink's first error
	done   chan struct{}
	err    error // the sink's first error; read after failed or done is closed
}

// pipeItem is a batch to write, or the end of a chunk.
type pipeItem struct {
	batch   *ColumnBatch
	lastKey []any
}

// NewBatchPipe starts a pipe to sink; Close it when the read ends.
func NewBatchPipe(ctx context.Context, sink RowSink) *BatchPipe {
	p := &BatchPipe{ctx: ctx, sink: sink, work: make(chan pipeItem, pipeDepth),
		free: make(chan *ColumnBatch, pipeDepth), failed: make(chan struct{}), done: make(chan struct{})}
	for range pipeDepth {
		p.free <- &ColumnBatch{}
	}
	go p.run()
	return p
}

func (p *BatchPipe) run() {
	defer close(p.done)
	for item := range p.work {
		if p.err == nil {
			if p.err = p.deliver(item); p.err != nil {
				close(p.failed)
			}
		}
		if item.batch != nil {
			p.free <- item.batch
		}
	}
}

func (p *BatchPipe) deliver(item pipeItem) error {
	if item.batch == nil {
		if cs, ok := p.sink.(ChunkSink); ok {
			return cs.ChunkDone(p.ctx, item.lastKey)
		}
		return nil
	}
	if cs, ok := p.sink.(ColumnSink); ok {
		return cs.WriteColumns(p.ctx, item.batch)
	}
	return p.sink.WriteBatch(p.ctx, item.batch.Rows())
}

// Get returns an empty batch, or the sink's error once it has failed.
func (p *BatchPipe) Get() (*ColumnBatch, error) {
	select {
	case <-p.failed:
		return nil, p.err
	case b := <-p.free:
		b.Reset()
		return b, nil
	}
}

// Put hands a filled batch to the sink.
func (p *BatchPipe) Put(b *ColumnBatch) { p.work <- pipeItem{batch: b} }

// ChunkDone tells the sink, after the chunk's batches, where a chunk ended.
func (p *BatchPipe) ChunkDone(lastKey []any) { p.work <- pipeItem{lastKey: lastKey} }

// Close waits for the sink to take everything and returns its error.
func (p *BatchPipe) Close() error {
	close(p.work)
	<-p.done
	return p.err
}
