package activities

import "context"

// applyBatch is one buffer's worth of changes applied to the lake in the
// background while the stream goes on: each table's state as it was handed
// off (its pending changes, then its results once applied).
type applyBatch struct {
	taken  []*tableChanges // copies holding the pending changes
	origin []*tableChanges // the buffer's tables they were taken from
	done   chan struct{}
	// err is the context's, which ends the run; a table's own failure is
	// its copy's err.
	err error
}

// handOff starts applying the pending changes (see apply), once the batch
// before is done: batches stage and commit in stream order, and at most one
// applies while the next fills. The buffer is empty after it. The final
// one commits every table's staged changes.
func (b *changeBuffer) handOff(ctx context.Context, final bool) error {
	if err := b.wait(); err != nil {
		return err
	}
	batch := &applyBatch{done: make(chan struct{})}
	for _, t := range b.tables {
		if t.err != nil || (len(t.info) == 0 && !t.truncated && !(final && t.step.staged())) {
			continue
		}
		taken := *t
		taken.written, taken.deleted, taken.snapshot = 0, 0, 0
		batch.taken, batch.origin = append(batch.taken, &taken), append(batch.origin, t)
		t.pending, t.rows, t.info, t.truncated = newPendingKeys(), newRowStore(t.cols), nil, false
	}
	b.bytes = 0
	if len(batch.taken) == 0 {
		return nil
	}
	b.inFlight = batch
	go func() {
		defer close(batch.done)
		for _, t := range batch.taken {
			if err := b.apply(ctx, t, final); err != nil {
				if ctx.Err() != nil {
					batch.err = ctx.Err()
					return
				}
				t.err = err
			}
		}
	}()
	return nil
}

// wait waits for the batch in flight and takes in its results. A table
// that failed keeps its error and takes no more changes this run.
func (b *changeBuffer) wait() error {
	batch := b.inFlight
	if batch == nil {
		return nil
	}
	<-batch.done
	b.inFlight = nil
	for i, taken := range batch.taken {
		t := batch.origin[i]
		t.written += taken.written
		t.deleted += taken.deleted
		t.snapshot = max(t.snapshot, taken.snapshot)
		if taken.err != nil && t.err == nil {
			t.err = taken.err
			t.clearPending()
			t.truncated = false
		}
	}
	return batch.err
}

// flush applies every table's pending changes and waits until they are
// committed.
func (b *changeBuffer) flush(ctx context.Context) error {
	if err := b.handOff(ctx, true); err != nil {
		return err
	}
	return b.wait()
}
