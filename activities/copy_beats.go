package activities

import (
	"context"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
)

// cancelPace bounds how long a table copy goes without a heartbeat. Temporal
// tells an activity that its run was cancelled only in the answer to a
// heartbeat, and the worker sends them at most once a second (see
// worker.New), so a copy notices a cancel within about cancelPace plus a
// second. Before, a copy heartbeat every 5s when rows flowed and not at all
// when they did not, and the SDK held heartbeats back for 80% of the 30s
// heartbeat timeout: a cancelled run's copy went on reading and writing for
// many seconds.
const cancelPace = 500 * time.Millisecond

// copyBeats sends a copy's heartbeats: the progress the sink reports, and
// the last progress again whenever the copy has gone cancelPace without
// one (a source still computing its first rows, a long write), so the
// cancellation reaches it even then. A beat repeats the last details, never
// empty ones: Temporal keeps only the latest, and a retry resumes from them.
//
// Every beat goes out on the activity's own context, never a caller's: the
// SDK holds a beat back for the throttle interval and sends it later on the
// context it was given, and a send on a context that has ended by then (a
// source watch stopped, a writer call returned) fails, which the SDK takes
// for a lost activity and cancels the whole copy. That is how delete
// detection was cancelled a second into its commit, retried, and a merge
// took seconds longer than it should.
type copyBeats struct {
	ctx  context.Context
	mu   sync.Mutex
	last any
	at   time.Time
	done chan struct{}
	once sync.Once
}

// startCopyBeats starts the keep-alive beats of the activity whose context
// is ctx, repeating initial until record is called; stop must be called
// before the activity returns.
func startCopyBeats(ctx context.Context, initial any) *copyBeats {
	b := &copyBeats{ctx: ctx, last: initial, at: time.Now(), done: make(chan struct{})}
	go b.run()
	return b
}

// record heartbeats details now and keeps them to repeat.
func (b *copyBeats) record(details any) {
	b.mu.Lock()
	b.last, b.at = details, time.Now()
	b.mu.Unlock()
	activity.RecordHeartbeat(b.ctx, details)
}

// latest is the details last recorded (or the initial ones).
func (b *copyBeats) latest() any {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

func (b *copyBeats) run() {
	tick := time.NewTicker(cancelPace / 2)
	defer tick.Stop()
	for {
		select {
		case <-b.done:
			return
		case <-b.ctx.Done():
			return
		case now := <-tick.C:
			b.mu.Lock()
			due := now.Sub(b.at) >= cancelPace
			details := b.last
			if due {
				b.at = now
			}
			b.mu.Unlock()
			if due {
				activity.RecordHeartbeat(b.ctx, details)
			}
		}
	}
}

// stop ends the keep-alive beats; calling it again does nothing.
func (b *copyBeats) stop() {
	b.once.Do(func() { close(b.done) })
}
