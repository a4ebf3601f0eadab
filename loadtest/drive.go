package loadtest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// driver runs workers of one workload; it names them uniquely across the
// whole run, so task ids never repeat.
type driver struct {
	wl *Workload
	// pid is the sluice process, whose CPU time each phase records.
	pid     int
	workers atomic.Int64
}

// cpu reads the CPU time used so far by the server and by the harness.
func (d *driver) cpu() (server, client time.Duration) {
	server, _ = ProcessCPU(d.pid)
	client, _ = ProcessCPU(0)
	return server, client
}

// cpuMark is the CPU time used and waited for so far, to take differences of.
type cpuMark struct{ server, client, serverWait time.Duration }

func (d *driver) mark() cpuMark {
	var m cpuMark
	m.server, m.client = d.cpu()
	m.serverWait, _ = ProcessCPUWait(d.pid)
	return m
}

// recordCPU stores the CPU time used and waited for since m0 in rec.
func (d *driver) recordCPU(rec *Recorder, m0 cpuMark) {
	m := d.mark()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.serverCPU, rec.clientCPU, rec.serverWait = m.server-m0.server, m.client-m0.client, m.serverWait-m0.serverWait
}

func (d *driver) newWorker() *Worker {
	return d.wl.NewWorker(fmt.Sprintf("load-w%d", d.workers.Add(1)))
}

// closedLoop runs n workers, each sending its next request as soon as the
// last one is answered, for duration. Concurrency is what it holds fixed.
// Requests in flight at the end are waited for and recorded, so a server
// that queues shows its full latency rather than hiding it past the phase.
func (d *driver) closedLoop(ctx context.Context, n int, duration time.Duration, rec *Recorder) {
	stop := time.Now().Add(duration)
	workers := d.newWorkers(n)
	m0 := d.mark()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(stop) {
				rec.Record(w.Step(ctx))
			}
		})
	}
	wg.Wait()
	rec.Stop()
	d.recordCPU(rec, m0)
	d.finish(workers)
}

// pacedResult says how well the paced load kept to its rate.
type pacedResult struct {
	// Offered is how many requests were due; Missed were due while every
	// worker was busy, and were not sent.
	Offered, Missed int64
}

// paced sends rate requests a second for duration from up to n workers, so
// the rate is what it holds fixed. Requests due while every worker is busy
// are counted as missed rather than queued; requests in flight at the end
// are waited for and recorded.
func (d *driver) paced(ctx context.Context, rate float64, n int, duration time.Duration, rec *Recorder) pacedResult {
	tokens, done := make(chan struct{}, n), make(chan struct{})
	workers := d.newWorkers(n)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				case <-tokens:
				}
				select {
				case <-done: // a token left over at the end
					return
				default:
				}
				rec.Record(w.Step(ctx))
			}
		})
	}
	var out pacedResult
	m0 := d.mark()
	start := time.Now()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for now := start; now.Sub(start) < duration && ctx.Err() == nil; now = <-tick.C {
		due := int64(rate * now.Sub(start).Seconds())
		for ; out.Offered < due; out.Offered++ {
			select {
			case tokens <- struct{}{}:
			default:
				out.Missed++
			}
		}
	}
	close(done)
	wg.Wait()
	rec.Stop()
	d.recordCPU(rec, m0)
	d.finish(workers)
	return out
}

func (d *driver) newWorkers(n int) []*Worker {
	ws := make([]*Worker, n)
	for i := range ws {
		ws[i] = d.newWorker()
	}
	return ws
}

// finish ends the workers' open task runs; it is not part of a phase.
func (d *driver) finish(workers []*Worker) {
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.Finish(d.wl.client) })
	}
	wg.Wait()
}
