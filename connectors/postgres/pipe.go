package postgres

import (
	"context"

	"github.com/sluice-dev/sluice/connectors"
)

// pipeDepth is how many batches circulate between the decoder and the sink:
// enough that decoding goes on while the sink writes (or seals a chunk's
// files), few enough to bound memory.
const pipeDepth = 4

// batchPipe hands decoded batches to the sink in a goroutine of its own, so
// decoding rows (with the server sending them) and writing them use two
// cores. Batches come back to a free list once written, and chunk ends
// travel in order with the batches.
type batchPipe struct {
	ctx    context.Context
	sink   connectors.RowSink
	work   chan pipeItem
	free   chan *connectors.ColumnBatch
	failed chan struct{} // closed on the sink's first error
	done   chan struct{}
	err    error // the sink's first error; read after failed or done is closed
}

// pipeItem is a batch to write, or the end of a chunk.
type pipeItem struct {
	batch   *connectors.ColumnBatch
	lastKey []any
}

func newBatchPipe(ctx context.Context, sink connectors.RowSink) *batchPipe {
	p := &batchPipe{ctx: ctx, sink: sink, work: make(chan pipeItem, pipeDepth),
		free: make(chan *connectors.ColumnBatch, pipeDepth), failed: make(chan struct{}), done: make(chan struct{})}
	for range pipeDepth {
		p.free <- &connectors.ColumnBatch{}
	}
	go p.run()
	return p
}

func (p *batchPipe) run() {
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

func (p *batchPipe) deliver(item pipeItem) error {
	if item.batch == nil {
		if cs, ok := p.sink.(connectors.ChunkSink); ok {
			return cs.ChunkDone(p.ctx, item.lastKey)
		}
		return nil
	}
	if cs, ok := p.sink.(connectors.ColumnSink); ok {
		return cs.WriteColumns(p.ctx, item.batch)
	}
	return p.sink.WriteBatch(p.ctx, item.batch.Rows())
}

// get returns an empty batch, or the sink's error once it has failed.
func (p *batchPipe) get() (*connectors.ColumnBatch, error) {
	select {
	case <-p.failed:
		return nil, p.err
	case b := <-p.free:
		b.Reset()
		return b, nil
	}
}

// put hands a filled batch to the sink.
func (p *batchPipe) put(b *connectors.ColumnBatch) { p.work <- pipeItem{batch: b} }

// chunkDone tells the sink, after the chunk's batches, where a chunk ended.
func (p *batchPipe) chunkDone(lastKey []any) { p.work <- pipeItem{lastKey: lastKey} }

// close waits for the sink to take everything and returns its error.
func (p *batchPipe) close() error {
	close(p.work)
	<-p.done
	return p.err
}
