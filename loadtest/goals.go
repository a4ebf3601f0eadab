package loadtest

import (
	"fmt"
	"strings"
)

// Goal thresholds. Each compares figures of the same run.
const (
	// maxMissedShare is how much of the sustained rate may go unsent for
	// want of a free worker before the phase does not count as sustained.
	maxMissedShare = 0.01
	// maxRSSGrowth bounds the RSS at the end against the RSS after warm-up.
	maxRSSGrowth = 0.10
	// goroutineSlack and goroutineShare bound the idle goroutine count at
	// the end against the start: start × (1+share) + slack.
	goroutineSlack = 10
	goroutineShare = 0.05
	// connSlack bounds the idle Postgres backends at the end against the start.
	connSlack = 2
	// routeGroups is how many route groups the server bounds apart
	// (integrations, queries, syncs and connections; observability).
	routeGroups = 2
	// maxQueueShare bounds the mean requests in flight under overload
	// against what the server admits; the rest is refusals on their way.
	// A server that queues without bound holds ever more (the offered rate
	// minus its capacity, times how long it has been overloaded).
	maxQueueShare = 1.1
	// minRecoveryRate is the share of requests that must succeed again
	// after the overload.
	minRecoveryRate = 0.99
)

// Goals judges the run.
func (r *Report) Goals() []Goal {
	s := r.Sustained
	total := s.Rec.Total()
	goals := []Goal{
		{Name: "sustained: load held at the target rate", Passed: float64(s.Paced.Missed) <= maxMissedShare*float64(s.Paced.Offered),
			Detail: fmt.Sprintf("%d of %d due requests missed", s.Paced.Missed, s.Paced.Offered)},
		{Name: "sustained: zero 5xx and every request answered", Passed: total.ServerErrors == 0 && total.TransportErrors == 0 && total.Requests > 0,
			Detail: fmt.Sprintf("%d requests, %d 5xx (%d of them 503 refusals), %d unanswered, p99 %s ms; sluice ran on %.2f cores (%.2f at saturation) and waited %.2f for one",
				total.Requests, total.ServerErrors, total.Unavailable, total.TransportErrors, ms(Percentile(total.Accepted, 0.99)),
				serverCores(s.Rec), serverCores(r.Saturation.Best.Rec), s.Rec.CPUWait())},
		{Name: "sustained: memory flat (RSS within 10%)", Passed: s.RSSAfterWarmup > 0 && float64(s.RSSEnd) <= (1+maxRSSGrowth)*float64(s.RSSAfterWarmup),
			Detail: fmt.Sprintf("%.1f → %.1f MiB (%s)", mib(s.RSSAfterWarmup), mib(s.RSSEnd), change(s.RSSAfterWarmup, s.RSSEnd))},
		{Name: "sustained: no goroutine leak", Passed: float64(s.End.Goroutines) <= float64(s.Start.Goroutines)*(1+goroutineShare)+goroutineSlack,
			Detail: fmt.Sprintf("%d → %d idle", s.Start.Goroutines, s.End.Goroutines)},
		{Name: "sustained: no Postgres connection leak", Passed: s.End.SluiceConns <= s.Start.SluiceConns+connSlack && s.End.SourceConns <= s.Start.SourceConns+connSlack,
			Detail: fmt.Sprintf("sluice db %d → %d, source db %d → %d", s.Start.SluiceConns, s.End.SluiceConns, s.Start.SourceConns, s.End.SourceConns)},
	}
	goals = append(goals, r.overloadGoals()...)
	rec := r.Overload.Recovery.Total()
	goals = append(goals,
		Goal{Name: "recovery: success rate back to ~100%", Passed: rec.Requests > 0 && rec.SuccessRate() >= minRecoveryRate && rec.ServerErrors-rec.Unavailable == 0,
			Detail: fmt.Sprintf("%.2f%% of %d requests accepted, %d refused", 100*rec.SuccessRate(), rec.Requests, len(rec.Refused))},
		Goal{Name: "the sluice process stayed up", Passed: r.ServerAlive, Detail: ""},
	)
	return goals
}

// overloadGoals judge the overload levels: the server refuses with
// Retry-After instead of failing or timing out, refusals are fast, and the
// requests in flight stay within what the server admits.
func (r *Report) overloadGoals() []Goal {
	var goals []Goal
	for _, st := range r.Overload.Steps {
		t := st.Rec.Total()
		goals = append(goals, Goal{
			Name:   fmt.Sprintf("overload %.0f/s: sheds with 429/503 + Retry-After", st.Rate),
			Passed: len(t.Refused) > 0 && t.RefusedWithoutRetryAfter == 0 && otherServerErrors(t) == 0 && t.TransportErrors == 0 && st.Paced.Missed == 0,
			Detail: fmt.Sprintf("%d refused (%d without Retry-After), %d other 5xx, %d unanswered of %d; %d not sent for %d already in flight",
				len(t.Refused), t.RefusedWithoutRetryAfter, otherServerErrors(t), t.TransportErrors, t.Requests, st.Paced.Missed, overloadWorkers),
		})
		refusedP99, acceptedP50 := Percentile(t.Refused, 0.99), Percentile(t.Accepted, 0.5)
		goals = append(goals, Goal{
			Name:   fmt.Sprintf("overload %.0f/s: refusals faster than answers", st.Rate),
			Passed: len(t.Refused) > 0 && refusedP99 < acceptedP50,
			Detail: fmt.Sprintf("refused p99 %s ms < accepted p50 %s ms", ms(refusedP99), ms(acceptedP50)),
		})
	}
	bound := float64(routeGroups * r.opts.MaxInFlight)
	var inFlight []string
	passed := len(r.Overload.Steps) > 0
	for _, st := range r.Overload.Steps {
		n := st.Rec.MeanInFlight()
		passed = passed && n <= maxQueueShare*bound
		inFlight = append(inFlight, fmt.Sprintf("%.0f", n))
	}
	goals = append(goals, Goal{Name: "overload: requests in flight stay bounded", Passed: passed,
		Detail: fmt.Sprintf("mean in flight %s at %s; the server admits %.0f (%d groups × %d)",
			strings.Join(inFlight, ", "), r.overloadRates(), bound, routeGroups, r.opts.MaxInFlight)})
	return goals
}

func (r *Report) overloadRates() string {
	var rates []string
	for _, st := range r.Overload.Steps {
		rates = append(rates, fmt.Sprintf("%.0f/s", st.Rate))
	}
	return strings.Join(rates, ", ")
}

func serverCores(rec *Recorder) float64 {
	cores, _, _ := rec.CPU()
	return cores
}
