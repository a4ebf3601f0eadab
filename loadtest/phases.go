package loadtest

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// RampStep is one concurrency level of the saturation ramp.
type RampStep struct {
	Concurrency int
	// Goodput is accepted requests a second over the step and the time the
	// server then stayed busy (Drain): what it can sustain, counting the
	// work it defers (Temporal's tasks for the task runs reported).
	Goodput float64
	// Drain is how long the server stayed busy after the step.
	Drain time.Duration
	Rec   *Recorder
}

// Saturation is where throughput stopped growing.
type Saturation struct {
	Steps []RampStep
	// Best is the step of highest goodput.
	Best RampStep
	// Rate is the saturation rate: the median goodput of Best and the
	// steps after it, the plateau. One lucky step on a shared machine does
	// not set it.
	Rate float64
}

// Ramp thresholds: a level must add this share of goodput to count as
// growth, and the ramp ends after this many levels without growth, or at
// the first level where the server sheds more than rampShedShare.
const (
	rampGrowth    = 1.10
	rampFlatSteps = 2
	rampShedShare = 0.05
)

// ramp doubles closed-loop concurrency from 1 to maxConcurrency, step long
// each, until goodput stops growing.
func (d *driver) ramp(ctx context.Context, step time.Duration, maxConcurrency int, progress func(RampStep)) Saturation {
	var sat Saturation
	flat := 0
	for n := 1; n <= maxConcurrency && ctx.Err() == nil; n *= 2 {
		rec := NewRecorder()
		d.closedLoop(ctx, n, step, rec)
		drain, _ := d.waitIdle(ctx)
		st := RampStep{Concurrency: n, Rec: rec, Drain: drain,
			Goodput: float64(len(rec.Total().Accepted)) / (rec.Elapsed() + drain).Seconds()}
		sat.Steps = append(sat.Steps, st)
		progress(st)
		if grew := st.Goodput >= sat.Best.Goodput*rampGrowth; st.Goodput > sat.Best.Goodput {
			sat.Best = st
			if grew {
				flat = 0
			} else {
				flat++
			}
		} else {
			flat++
		}
		total := rec.Total()
		if flat >= rampFlatSteps || float64(len(total.Refused)) > rampShedShare*float64(total.Requests) {
			break
		}
	}
	var plateau []float64
	for _, st := range sat.Steps {
		if st.Concurrency >= sat.Best.Concurrency {
			plateau = append(plateau, st.Goodput)
		}
	}
	sat.Rate = median(plateau)
	return sat
}

// median returns the middle value of xs (the mean of the two middle ones
// for an even count), or 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Idle thresholds: the server counts as idle once it uses less than
// idleCores for a second; waiting gives up after maxIdleWait.
const (
	idleCores   = 0.05
	maxIdleWait = 2 * time.Minute
)

// waitIdle waits until the server has finished the work earlier phases left
// it (Temporal's history and visibility tasks for the task runs reported),
// so that work does not weigh on the next phase, and says how long it took.
func (d *driver) waitIdle(ctx context.Context) (time.Duration, bool) {
	start := time.Now()
	last, _ := d.cpu()
	for time.Since(start) < maxIdleWait {
		select {
		case <-ctx.Done():
			return time.Since(start), false
		case <-time.After(time.Second):
		}
		now, _ := d.cpu()
		if (now - last).Seconds() < idleCores {
			return time.Since(start), true
		}
		last = now
	}
	return time.Since(start), false
}

// Sustained is the sustained phase's outcome.
type Sustained struct {
	Rate   float64
	Warmup *Recorder
	Rec    *Recorder
	Paced  pacedResult
	// RSSAfterWarmup and RSSEnd are the process's VmRSS, in bytes.
	RSSAfterWarmup, RSSEnd int64
	// RSSMin and RSSMax bound the samples taken every few seconds.
	RSSMin, RSSMax int64
	// MemAfterWarmup and MemEnd split the memory between the Go heap, the
	// rest of the Go runtime and what lies outside it, at the RSS samples.
	MemAfterWarmup, MemEnd ServerMetrics
	// Start and End are counted with no request in flight and the client's
	// idle connections closed.
	Start, End Resources
	// Drain is how long the server stayed busy after the load stopped:
	// work it accepted but had not done yet (Temporal's tasks).
	Drain time.Duration
}

// Resources are the leak-prone counts of the server.
type Resources struct {
	Goroutines int
	// SluiceConns and SourceConns are Postgres backends on sluice's own
	// database and on the fixture source database.
	SluiceConns, SourceConns int
	// Series is how many samples /metrics exposes.
	Series int
}

// quiesce is how long the server gets to end per-request goroutines before
// it is counted.
const quiesce = 3 * time.Second

// sustain runs a warm-up and then duration at rate, sampling memory and
// counting resources before and after.
func (d *driver) sustain(ctx context.Context, h *harness, rate float64, n int, warmup, duration time.Duration) (Sustained, error) {
	out := Sustained{Rate: rate, Warmup: NewRecorder(), Rec: NewRecorder()}
	d.paced(ctx, rate, n, warmup, out.Warmup)
	var err error
	if out.RSSAfterWarmup, err = RSS(h.stack.PID()); err != nil {
		return out, err
	}
	if out.MemAfterWarmup, err = Scrape(ctx, h.stack.BaseURL); err != nil {
		return out, err
	}
	if out.Start, err = h.resources(ctx); err != nil {
		return out, err
	}
	out.RSSMin, out.RSSMax = out.RSSAfterWarmup, out.RSSAfterWarmup
	sampleCtx, stopSampling := context.WithCancel(ctx)
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-sampleCtx.Done():
				return
			case <-time.After(5 * time.Second):
			}
			if rss, err := RSS(h.stack.PID()); err == nil {
				out.RSSMin, out.RSSMax = min(out.RSSMin, rss), max(out.RSSMax, rss)
			}
		}
	}()
	out.Paced = d.paced(ctx, rate, n, duration, out.Rec)
	stopSampling()
	<-sampled
	if out.RSSEnd, err = RSS(h.stack.PID()); err != nil {
		return out, err
	}
	if out.MemEnd, err = Scrape(ctx, h.stack.BaseURL); err != nil {
		return out, err
	}
	out.RSSMin, out.RSSMax = min(out.RSSMin, out.RSSEnd), max(out.RSSMax, out.RSSEnd)
	out.Drain, _ = d.waitIdle(ctx)
	if out.End, err = h.resources(ctx); err != nil {
		return out, err
	}
	return out, nil
}

// resources counts goroutines and connections once the server is idle.
func (h *harness) resources(ctx context.Context) (Resources, error) {
	h.client.CloseIdle()
	select {
	case <-ctx.Done():
		return Resources{}, ctx.Err()
	case <-time.After(quiesce):
	}
	var r Resources
	m, err := Scrape(ctx, h.stack.BaseURL)
	if err != nil {
		return r, err
	}
	r.Goroutines, r.Series = m.Goroutines, m.Series
	if r.SluiceConns, err = PostgresConnections(ctx, h.opts.AdminURL, h.stack.Database); err != nil {
		return r, err
	}
	if r.SourceConns, err = PostgresConnections(ctx, h.opts.AdminURL, h.fx.SourceDatabase); err != nil {
		return r, err
	}
	return r, nil
}

// OverloadStep is one open-loop level above saturation.
type OverloadStep struct {
	// Rate is the offered requests a second.
	Rate  float64
	Paced pacedResult
	Rec   *Recorder
}

// Overload is the overload phase and the recovery after it.
type Overload struct {
	Steps []OverloadStep
	// Settle is the first part of recovery, not judged; Recovery the rest.
	Settle, Recovery *Recorder
	RecoveryRate     float64
}

// overloadWorkers bounds the requests the harness keeps in flight above
// saturation: far more than the server admits, so it is the server that
// refuses, and a server that queues instead shows it as missed arrivals
// and long latencies.
const overloadWorkers = 2048

// overload offers each rate open-loop for step (arrivals do not wait for
// answers, as independent clients do not), then paces recoveryRate for
// settle+recovery and records the two parts apart.
func (d *driver) overload(ctx context.Context, rates []float64, step time.Duration, recoveryRate float64, settle, recovery time.Duration) Overload {
	out := Overload{RecoveryRate: recoveryRate, Settle: NewRecorder(), Recovery: NewRecorder()}
	for _, rate := range rates {
		st := OverloadStep{Rate: rate, Rec: NewRecorder()}
		st.Paced = d.paced(ctx, rate, overloadWorkers, step, st.Rec)
		out.Steps = append(out.Steps, st)
	}
	workers := max(32, int(recoveryRate))
	d.paced(ctx, recoveryRate, workers, settle, out.Settle)
	d.paced(ctx, recoveryRate, workers, recovery, out.Recovery)
	return out
}

func (s RampStep) String() string {
	t := s.Rec.Total()
	server, client, _ := s.Rec.CPU()
	return fmt.Sprintf("concurrency %4d: %6.1f accepted/s sustainable (%6.1f while sent, busy %2.0fs after), p50 %s ms, p99 %s ms, refused %d, 5xx %d, no answer %d; cores: sluice %.2f (waited %.2f), harness %.2f",
		s.Concurrency, s.Goodput, float64(len(t.Accepted))/s.Rec.Elapsed().Seconds(), s.Drain.Seconds(),
		ms(Percentile(t.Accepted, 0.5)), ms(Percentile(t.Accepted, 0.99)), len(t.Refused), t.ServerErrors, t.TransportErrors,
		server, s.Rec.CPUWait(), client)
}
