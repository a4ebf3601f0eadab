package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/sluice-dev/sluice/connectors"
)

// sourceStall is why a source call was cancelled: the source sent nothing
// for the watch's limit. It is retryable, like any lost connection.
type sourceStall struct{ silent time.Duration }

func (e *sourceStall) Error() string {
	return fmt.Sprintf("the source sent no data for %s: it stopped answering, or the network to it is down", e.silent.Round(time.Second))
}

// sourceWatch cancels a copy's calls to its source once the source has
// been silent for most of the heartbeat timeout. A copy only heartbeats
// when rows arrive, so without it a stalled source would end the attempt
// by Temporal's bare "activity Heartbeat timeout", and the run would report
// that instead of what the source did. Time the sink spends writing rows
// does not count as silence.
type sourceWatch struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	limit  time.Duration
	done   chan struct{}
	once   sync.Once
	mu     sync.Mutex
	// waiting is when the copy last started waiting on the source; zero
	// while it is paused.
	waiting time.Time
}

// watchSource returns a watch whose context the copy's source calls must
// use; stop ends it. Without a heartbeat timeout it never cancels.
func watchSource(ctx context.Context) *sourceWatch {
	cctx, cancel := context.WithCancelCause(ctx)
	w := &sourceWatch{ctx: cctx, cancel: cancel, limit: activity.GetInfo(ctx).HeartbeatTimeout * 2 / 3,
		done: make(chan struct{}), waiting: time.Now()}
	if w.limit > 0 {
		go w.run()
	}
	return w
}

func (w *sourceWatch) run() {
	tick := time.NewTicker(w.limit / 8)
	defer tick.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-w.ctx.Done():
			return
		case now := <-tick.C:
			w.mu.Lock()
			silent := now.Sub(w.waiting)
			busy := w.waiting.IsZero()
			w.mu.Unlock()
			if !busy && silent >= w.limit {
				w.cancel(&sourceStall{silent: silent})
				return
			}
		}
	}
}

// stop ends the watch; calling it again does nothing.
func (w *sourceWatch) stop() {
	w.once.Do(func() {
		close(w.done)
		w.cancel(nil)
	})
}

// explain wraps err from a source call with what was being done, replacing
// the bare cancellation by the stall when the watch cancelled the call.
func (w *sourceWatch) explain(what string, err error) error {
	var stall *sourceStall
	if errors.As(context.Cause(w.ctx), &stall) {
		return fmt.Errorf("%s: %w", what, stall)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// pause and resume bracket the copy's own work, which is not the source's silence.
func (w *sourceWatch) pause() {
	w.mu.Lock()
	w.waiting = time.Time{}
	w.mu.Unlock()
}

func (w *sourceWatch) resume() {
	w.mu.Lock()
	w.waiting = time.Now()
	w.mu.Unlock()
}

// watchedSink is a lakeSink whose calls pause the watch. A reader that calls
// its sink from a goroutine of its own (Postgres) may still be waiting on
// the source meanwhile; a stall then counts from when the sink has written
// what was already read, a few batches later.
type watchedSink struct {
	sink  *lakeSink
	watch *sourceWatch
}

var (
	_ connectors.ChunkSink  = watchedSink{}
	_ connectors.ColumnSink = watchedSink{}
)

// WriteBatch writes rows; the source is not waited on meanwhile.
func (s watchedSink) WriteBatch(ctx context.Context, rows [][]any) error {
	s.watch.pause()
	defer s.watch.resume()
	return s.sink.WriteBatch(ctx, rows)
}

// WriteColumns writes a column batch; the source is not waited on meanwhile.
func (s watchedSink) WriteColumns(ctx context.Context, b *connectors.ColumnBatch) error {
	s.watch.pause()
	defer s.watch.resume()
	return s.sink.WriteColumns(ctx, b)
}

// ChunkDone seals the chunk; the source is not waited on meanwhile.
func (s watchedSink) ChunkDone(ctx context.Context, lastKey []any) error {
	s.watch.pause()
	defer s.watch.resume()
	return s.sink.ChunkDone(ctx, lastKey)
}
