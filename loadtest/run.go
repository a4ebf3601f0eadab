package loadtest

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Options configure a run of the harness.
type Options struct {
	// Bin is the sluice binary to run as `sluice dev`.
	Bin string
	// AdminURL is a Postgres database the harness may create databases from.
	AdminURL string
	// Duration is how long the sustained phase runs after its warm-up.
	Duration time.Duration
	// Warmup precedes the sustained phase; memory is first sampled after it.
	Warmup time.Duration
	// RampStep is how long each concurrency level of the ramp runs.
	RampStep time.Duration
	// OverloadStep is how long each overload level runs.
	OverloadStep time.Duration
	// Settle and Recovery split the phase after overload: Settle is not
	// judged, Recovery must succeed again.
	Settle, Recovery time.Duration
	// SustainShare is the sustained rate as a share of saturation (0.7).
	SustainShare float64
	// Rate, when set, is the sustained rate instead (requests a second), to
	// compare two builds at the same load.
	Rate float64
	// OverloadShare is the first overload rate as a multiple of saturation
	// (3); the second is twice it.
	OverloadShare float64
	// RecoveryShare is the recovery rate as a share of saturation (0.5).
	RecoveryShare float64
	// MaxRampConcurrency caps the ramp.
	MaxRampConcurrency int
	// Only, when set, keeps the routes of the mix that contain one of its
	// strings.
	Only []string
	// MaxInFlight is the bound of each of the server's two route groups; the
	// harness starts the server with it (SLUICE_MAX_IN_FLIGHT) and judges
	// the requests in flight under overload against it.
	MaxInFlight int
	// Out receives the progress lines and the report.
	Out io.Writer
}

// harness is one run: the stack, its client and fixtures.
type harness struct {
	opts   Options
	stack  *Stack
	client *Client
	fx     Fixtures
}

// clientConns is how many connections the load client may keep open: more
// than the highest overload level, so the client never queues requests.
const clientConns = 4096

// Run starts the stack, sets up fixtures, runs every phase and writes the
// report. The report says whether every goal passed; the error is for a run
// that could not be carried out.
func Run(ctx context.Context, opts Options) (*Report, error) {
	out := opts.Out
	fmt.Fprintf(out, "starting %s dev …\n", opts.Bin)
	stack, err := StartStack(ctx, opts.Bin, opts.AdminURL, fmt.Sprintf("SLUICE_MAX_IN_FLIGHT=%d", opts.MaxInFlight))
	if err != nil {
		return nil, err
	}
	h := &harness{opts: opts, stack: stack, client: NewClient(stack.BaseURL, stack.Token, clientConns)}
	keepLog := true
	defer func() {
		stack.Stop()
		h.fx.TearDown(opts.AdminURL)
		if keepLog {
			fmt.Fprintf(out, "sluice's log is kept in %s\n", stack.LogPath)
		} else {
			stack.RemoveDataDir()
		}
	}()
	fmt.Fprintf(out, "sluice dev pid %d at %s, database %s; setting up fixtures …\n", stack.PID(), stack.BaseURL, stack.Database)
	if h.fx, err = SetUp(ctx, h.client, opts.AdminURL); err != nil {
		return nil, fmt.Errorf("set up fixtures: %w", err)
	}
	wl := NewWorkload(h.client, h.fx, opts.Only)
	if len(wl.Routes()) == 0 {
		return nil, fmt.Errorf("no route of the mix matches %q", opts.Only)
	}
	if err := h.smoke(ctx, wl); err != nil {
		return nil, err
	}
	rep, err := h.phases(ctx, &driver{wl: wl, pid: stack.PID()})
	if err != nil {
		return nil, err
	}
	rep.Write(out)
	keepLog = !rep.Passed()
	return rep, nil
}

// smoke sends each route of the mix once, so a broken fixture fails with
// its own error rather than as a ramp of failures.
func (h *harness) smoke(ctx context.Context, wl *Workload) error {
	w := wl.NewWorker("load-smoke")
	defer w.Finish(h.client)
	seen := map[string]bool{}
	for i := 0; i < 200 && len(seen) < len(wl.Routes()); i++ {
		route, res := w.Step(ctx)
		if res.Err != nil || res.Status >= 400 {
			return fmt.Errorf("smoke request %s: status %d %v: %.300s", route, res.Status, res.Err, res.Body)
		}
		seen[route] = true
	}
	if len(seen) < len(wl.Routes()) {
		return fmt.Errorf("smoke: only %d of %d routes drawn", len(seen), len(wl.Routes()))
	}
	return nil
}

// phases runs ramp, sustained, overload and recovery.
func (h *harness) phases(ctx context.Context, d *driver) (*Report, error) {
	out, opts := h.opts.Out, h.opts
	rep := &Report{opts: opts}
	fmt.Fprintf(out, "\n== ramp: closed-loop concurrency doubling every %s until sustainable accepted/s stops growing\n", opts.RampStep)
	rep.Saturation = d.ramp(ctx, opts.RampStep, opts.MaxRampConcurrency, func(st RampStep) { fmt.Fprintln(out, st) })
	sat := rep.Saturation
	if sat.Rate <= 0 {
		return nil, fmt.Errorf("ramp: no request was accepted")
	}
	rate := opts.SustainShare * sat.Rate
	if opts.Rate > 0 {
		rate = opts.Rate
	}
	workers := max(128, 8*sat.Best.Concurrency)
	fmt.Fprintf(out, "saturation: %.1f accepted/s (median of the plateau from concurrency %d, whose %.1f was the best)\n",
		sat.Rate, sat.Best.Concurrency, sat.Best.Goodput)

	fmt.Fprintf(out, "\n== sustained: %.1f req/s (%.0f%% of saturation) from up to %d workers, %s warm-up then %s\n",
		rate, 100*rate/sat.Rate, workers, opts.Warmup, opts.Duration)
	var err error
	if rep.Sustained, err = d.sustain(ctx, h, rate, workers, opts.Warmup, opts.Duration); err != nil {
		return nil, fmt.Errorf("sustained phase: %w", err)
	}

	rates := []float64{opts.OverloadShare * sat.Rate, 2 * opts.OverloadShare * sat.Rate}
	recoveryRate := opts.RecoveryShare * sat.Rate
	fmt.Fprintf(out, "\n== overload: open-loop %.0f then %.0f req/s (%.0f× and %.0f× saturation), %s each; then recovery at %.1f req/s\n",
		rates[0], rates[1], opts.OverloadShare, 2*opts.OverloadShare, opts.OverloadStep, recoveryRate)
	rep.Overload = d.overload(ctx, rates, opts.OverloadStep, recoveryRate, opts.Settle, opts.Recovery)
	rep.ServerAlive = h.stack.Alive()
	if rep.ServerAlive {
		rep.Final, err = h.resources(ctx)
		if err != nil {
			return nil, fmt.Errorf("count resources after recovery: %w", err)
		}
	}
	return rep, nil
}
