package loadtest

import (
	"context"
	"fmt"
	"time"
)

// RampStep is one concurrency level of the saturation ramp.
type RampStep struct {
	Concurrency int
	// Goodput is accepted requests a second.
	Goodput float64
	Rec     *Recorder
}

// Saturation is where throughput stopped growing.
type Saturation struct {
	Steps []RampStep
	// Best is the step of highest goodput; its goodput is the saturation rate.
	Best RampStep
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
		st := RampStep{Concurrency: n, Rec: rec, Goodput: float64(len(rec.Total().Accepted)) / rec.Elapsed().Seconds()}
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
	return sat
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
	// Start and End are counted with no request in flight and the client's
	// idle connections closed.
	Start, End Resources
}

// Resources are the leak-prone counts of the server.
type Resources struct {
	Goroutines int
	// SluiceConns and SourceConns are Postgres backends on sluice's own
	// database and on the fixture source database.
	SluiceConns, SourceConns int
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
	out.RSSMin, out.RSSMax = min(out.RSSMin, out.RSSEnd), max(out.RSSMax, out.RSSEnd)
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
	var err error
	if r.Goroutines, err = Goroutines(ctx, h.stack.BaseURL); err != nil {
		return r, err
	}
	if r.SluiceConns, err = PostgresConnections(ctx, h.opts.AdminURL, h.stack.Database); err != nil {
		return r, err
	}
	if r.SourceConns, err = PostgresConnections(ctx, h.opts.AdminURL, h.fx.SourceDatabase); err != nil {
		return r, err
	}
	return r, nil
}

// OverloadStep is one closed-loop level above saturation.
type OverloadStep struct {
	Concurrency int
	Rec         *Recorder
}

// Overload is the overload phase and the recovery after it.
type Overload struct {
	Steps []OverloadStep
	// Settle is the first part of recovery, not judged; Recovery the rest.
	Settle, Recovery *Recorder
	RecoveryRate     float64
}

// overload runs each concurrency level for step, then paces rate for
// settle+recovery and records the two parts apart.
func (d *driver) overload(ctx context.Context, levels []int, step time.Duration, rate float64, settle, recovery time.Duration) Overload {
	out := Overload{RecoveryRate: rate, Settle: NewRecorder(), Recovery: NewRecorder()}
	for _, n := range levels {
		rec := NewRecorder()
		d.closedLoop(ctx, n, step, rec)
		out.Steps = append(out.Steps, OverloadStep{Concurrency: n, Rec: rec})
	}
	workers := max(16, int(rate))
	d.paced(ctx, rate, workers, settle, out.Settle)
	d.paced(ctx, rate, workers, recovery, out.Recovery)
	return out
}

func (s RampStep) String() string {
	t := s.Rec.Total()
	return fmt.Sprintf("concurrency %4d: %7.1f accepted/s, p50 %s, p99 %s, refused %d, 5xx %d, no answer %d",
		s.Concurrency, s.Goodput, ms(Percentile(t.Accepted, 0.5)), ms(Percentile(t.Accepted, 0.99)),
		len(t.Refused), t.ServerErrors, t.TransportErrors)
}
