package loadtest

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Report is a run's figures and the goals judged from them.
type Report struct {
	opts        Options
	Saturation  Saturation
	Sustained   Sustained
	Overload    Overload
	ServerAlive bool
	// Final are the resources counted after recovery.
	Final Resources
}

// Goal is one judged goal.
type Goal struct {
	Name   string
	Passed bool
	Detail string
}

// Passed reports whether every goal passed.
func (r *Report) Passed() bool {
	for _, g := range r.Goals() {
		if !g.Passed {
			return false
		}
	}
	return true
}

// Write prints the tables and the goals.
func (r *Report) Write(out io.Writer) {
	fmt.Fprintf(out, "\n== sustained load: %.1f req/s offered for %s (%d due, %d missed with every worker busy)\n",
		r.Sustained.Rate, r.opts.Duration, r.Sustained.Paced.Offered, r.Sustained.Paced.Missed)
	writeRoutes(out, r.Sustained.Rec)

	fmt.Fprintf(out, "\n== resources of the sluice process (goroutines and connections counted idle)\n")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tafter warm-up\tend of sustained\tchange\tafter recovery\t")
	s := r.Sustained
	fmt.Fprintf(tw, "RSS MiB\t%.1f\t%.1f\t%s\t\t\n", mib(s.RSSAfterWarmup), mib(s.RSSEnd), change(s.RSSAfterWarmup, s.RSSEnd))
	fmt.Fprintf(tw, "RSS MiB min..max\t\t%.1f..%.1f\t\t\t\n", mib(s.RSSMin), mib(s.RSSMax))
	a, b := s.MemAfterWarmup, s.MemEnd
	fmt.Fprintf(tw, "  Go heap live at last GC MiB\t%.1f\t%.1f\t%s\t\t\n", mib(a.LiveHeap), mib(b.LiveHeap), change(a.LiveHeap, b.LiveHeap))
	fmt.Fprintf(tw, "  Go runtime total MiB\t%.1f\t%.1f\t%s\t\t\n", mib(a.GoSys), mib(b.GoSys), change(a.GoSys, b.GoSys))
	fmt.Fprintf(tw, "  outside Go (RSS − Go total) MiB\t%.1f\t%.1f\t%+.1f\t\t\n", mib(s.RSSAfterWarmup-a.GoSys), mib(s.RSSEnd-b.GoSys),
		mib(s.RSSEnd-b.GoSys)-mib(s.RSSAfterWarmup-a.GoSys))
	fmt.Fprintf(tw, "goroutines\t%d\t%d\t%s\t%d\t\n", s.Start.Goroutines, s.End.Goroutines, change(int64(s.Start.Goroutines), int64(s.End.Goroutines)), r.Final.Goroutines)
	fmt.Fprintf(tw, "/metrics samples\t%d\t%d\t%+d\t%d\t\n", s.Start.Series, s.End.Series, s.End.Series-s.Start.Series, r.Final.Series)
	fmt.Fprintf(tw, "postgres conns (sluice db)\t%d\t%d\t%+d\t%d\t\n", s.Start.SluiceConns, s.End.SluiceConns, s.End.SluiceConns-s.Start.SluiceConns, r.Final.SluiceConns)
	fmt.Fprintf(tw, "postgres conns (source db)\t%d\t%d\t%+d\t%d\t\n", s.Start.SourceConns, s.End.SourceConns, s.End.SourceConns-s.Start.SourceConns, r.Final.SourceConns)
	tw.Flush()
	fmt.Fprintf(out, "  the server stayed busy %.0fs after the sustained load stopped\n", s.Drain.Seconds())

	for _, st := range r.Overload.Steps {
		t := st.Rec.Total()
		fmt.Fprintf(out, "\n== overload: %.0f req/s offered open-loop for %s (%d due, %d missed with %d requests in flight)\n",
			st.Rate, r.opts.OverloadStep, st.Paced.Offered, st.Paced.Missed, overloadWorkers)
		writeOverload(out, st.Rec)
		fmt.Fprintf(out, "  mean requests in flight %.1f; goodput %.1f accepted/s (%.0f%% of saturation)\n", st.Rec.MeanInFlight(),
			float64(len(t.Accepted))/st.Rec.Elapsed().Seconds(), 100*float64(len(t.Accepted))/st.Rec.Elapsed().Seconds()/r.Saturation.Rate)
	}
	if len(r.Overload.Steps) == 2 {
		fmt.Fprintf(out, "\n== accepted p99 when the offered rate doubles (%.0f → %.0f req/s)\n", r.Overload.Steps[0].Rate, r.Overload.Steps[1].Rate)
		writeGrowth(out, r.Overload.Steps[0].Rec, r.Overload.Steps[1].Rec)
	}
	fmt.Fprintf(out, "\n== recovery at %.1f req/s (after %s to settle)\n", r.Overload.RecoveryRate, r.opts.Settle)
	writeRoutes(out, r.Overload.Recovery)

	fmt.Fprintf(out, "\n== goals\n")
	for _, g := range r.Goals() {
		verdict := "PASS"
		if !g.Passed {
			verdict = "FAIL"
		}
		fmt.Fprintf(out, "%s  %-44s %s\n", verdict, g.Name, g.Detail)
	}
	if r.Passed() {
		fmt.Fprintln(out, "\nload: PASS")
	} else {
		fmt.Fprintln(out, "\nload: FAIL")
	}
}

func writeRoutes(out io.Writer, rec *Recorder) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "route\trequests\treq/s\tp50 ms\tp99 ms\tmax ms\t5xx\trefused\tother 4xx\tno answer\t")
	secs := rec.Elapsed().Seconds()
	row := func(name string, st RouteStats) {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t\n", name, st.Requests, float64(st.Requests)/secs,
			ms(Percentile(st.Accepted, 0.5)), ms(Percentile(st.Accepted, 0.99)), ms(Percentile(st.Accepted, 1)),
			st.ServerErrors, len(st.Refused), st.ClientErrors, st.TransportErrors)
	}
	for _, name := range rec.Routes() {
		row(name, rec.Route(name))
	}
	total := rec.Total()
	row("all", total)
	tw.Flush()
	writeCPU(out, rec)
	if total.LastError != "" {
		fmt.Fprintf(out, "  a failure: %.300s\n", total.LastError)
	}
}

func writeOverload(out io.Writer, rec *Recorder) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "route\trequests\taccepted/s\taccepted p50 ms\taccepted p99 ms\trefused\trefused p50 ms\trefused p99 ms\tno Retry-After\tother 5xx\tno answer\t")
	secs := rec.Elapsed().Seconds()
	row := func(name string, st RouteStats) {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%d\t%s\t%s\t%d\t%d\t%d\t\n", name, st.Requests, float64(len(st.Accepted))/secs,
			ms(Percentile(st.Accepted, 0.5)), ms(Percentile(st.Accepted, 0.99)), len(st.Refused),
			ms(Percentile(st.Refused, 0.5)), ms(Percentile(st.Refused, 0.99)), st.RefusedWithoutRetryAfter,
			otherServerErrors(st), st.TransportErrors)
	}
	for _, name := range rec.Routes() {
		row(name, rec.Route(name))
	}
	row("all", rec.Total())
	tw.Flush()
	writeCPU(out, rec)
}

func writeCPU(out io.Writer, rec *Recorder) {
	server, client, per := rec.CPU()
	fmt.Fprintf(out, "  cores used: sluice %.2f (its threads waited %.2f cores' worth for a CPU), harness %.2f; sluice CPU per accepted request %s ms\n",
		server, rec.CPUWait(), client, ms(per))
}

func writeGrowth(out io.Writer, a, b *Recorder) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "route\tp99 ms before\tp99 ms after\tratio\t")
	for _, name := range b.Routes() {
		pa, pb := Percentile(a.Route(name).Accepted, 0.99), Percentile(b.Route(name).Accepted, 0.99)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", name, ms(pa), ms(pb), ratio(pa, pb))
	}
	tw.Flush()
}

// otherServerErrors are the 5xx answers that are not 503 refusals.
func otherServerErrors(st RouteStats) int { return st.ServerErrors - st.Unavailable }

func ms(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond))
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func change(before, after int64) string {
	if before == 0 {
		return "-"
	}
	return fmt.Sprintf("%+.1f%%", 100*float64(after-before)/float64(before))
}

func ratio(a, b time.Duration) string {
	if a == 0 || b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", float64(b)/float64(a))
}
