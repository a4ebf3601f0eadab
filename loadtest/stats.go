package loadtest

import (
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"
)

// Recorder collects the outcomes of one phase's requests, by route. It is
// safe for concurrent use.
type Recorder struct {
	mu     sync.Mutex
	start  time.Time
	end    time.Time
	routes map[string]*RouteStats
	// serverCPU and clientCPU are the CPU time the sluice process and the
	// harness used during the phase; serverWait is how long the sluice
	// process's threads were runnable but waited for a CPU.
	serverCPU, clientCPU, serverWait time.Duration
}

// RouteStats are one route's outcomes in a phase.
type RouteStats struct {
	// Requests counts every request, answered or not.
	Requests int
	// Busy is the time all requests together spent in flight; over the
	// phase's length it is the mean number in flight (Little's law).
	Busy time.Duration
	// Accepted are answers below 400 (the server did the work).
	Accepted []time.Duration
	// Refused are 429 and 503 answers: load shed, or a dependency down.
	Refused []time.Duration
	// RefusedWithoutRetryAfter counts refusals that did not say when to retry.
	RefusedWithoutRetryAfter int
	// ClientErrors counts other 4xx answers.
	ClientErrors int
	// ServerErrors counts every 5xx answer, 503 included.
	ServerErrors int
	// Unavailable counts the 503 answers (refusals that are also 5xx).
	Unavailable int
	// TransportErrors counts requests that got no answer (timeouts, resets).
	TransportErrors int
	// LastError is one example of a failure, for the report.
	LastError string
}

// NewRecorder starts recording a phase now.
func NewRecorder() *Recorder {
	return &Recorder{start: time.Now(), routes: map[string]*RouteStats{}}
}

// Record adds one request's result under route.
func (r *Recorder) Record(route string, res Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.routes[route]
	if st == nil {
		st = &RouteStats{}
		r.routes[route] = st
	}
	st.Requests++
	st.Busy += res.Latency
	switch {
	case res.Err != nil && res.Status == 0:
		st.TransportErrors++
		st.LastError = res.Err.Error()
		return
	case res.Status == http.StatusTooManyRequests || res.Status == http.StatusServiceUnavailable:
		st.Refused = append(st.Refused, res.Latency)
		if res.Status == http.StatusServiceUnavailable {
			st.Unavailable++
		}
		if !res.RetryAfter {
			st.RefusedWithoutRetryAfter++
		}
	case res.Status < 400:
		st.Accepted = append(st.Accepted, res.Latency)
	case res.Status < 500:
		st.ClientErrors++
		st.LastError = errorExample(res)
	}
	if res.Status >= 500 {
		st.ServerErrors++
		if res.Status != http.StatusServiceUnavailable {
			st.LastError = errorExample(res)
		}
	}
}

// Stop marks the end of the phase, for rates.
func (r *Recorder) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.end.IsZero() {
		r.end = time.Now()
	}
}

// Elapsed is the phase's duration (until now if it has not stopped).
func (r *Recorder) Elapsed() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.end.IsZero() {
		return time.Since(r.start)
	}
	return r.end.Sub(r.start)
}

// CPU returns the cores the server and the harness used on average during
// the phase, and the server's CPU time per accepted request.
func (r *Recorder) CPU() (serverCores, clientCores float64, perAccepted time.Duration) {
	elapsed, accepted := r.Elapsed().Seconds(), len(r.Total().Accepted)
	r.mu.Lock()
	defer r.mu.Unlock()
	if elapsed > 0 {
		serverCores, clientCores = r.serverCPU.Seconds()/elapsed, r.clientCPU.Seconds()/elapsed
	}
	if accepted > 0 {
		perAccepted = r.serverCPU / time.Duration(accepted)
	}
	return serverCores, clientCores, perAccepted
}

// CPUWait returns the cores' worth of time the server's threads spent
// waiting for a CPU on average during the phase: above the cores it used,
// other processes kept it starved.
func (r *Recorder) CPUWait() float64 {
	elapsed := r.Elapsed().Seconds()
	r.mu.Lock()
	defer r.mu.Unlock()
	if elapsed <= 0 {
		return 0
	}
	return r.serverWait.Seconds() / elapsed
}

// MeanInFlight is the mean number of requests in flight during the phase.
func (r *Recorder) MeanInFlight() float64 {
	elapsed := r.Elapsed()
	if elapsed <= 0 {
		return 0
	}
	return float64(r.Total().Busy) / float64(elapsed)
}

// Routes returns the recorded route names, sorted.
func (r *Recorder) Routes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.routes))
	for name := range r.routes {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Route returns a copy of one route's outcomes.
func (r *Recorder) Route(name string) RouteStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.routes[name]
	if st == nil {
		return RouteStats{}
	}
	cp := *st
	cp.Accepted, cp.Refused = slices.Clone(st.Accepted), slices.Clone(st.Refused)
	return cp
}

// Total merges every route's outcomes.
func (r *Recorder) Total() RouteStats {
	var t RouteStats
	for _, name := range r.Routes() {
		st := r.Route(name)
		t.Requests += st.Requests
		t.Busy += st.Busy
		t.Accepted = append(t.Accepted, st.Accepted...)
		t.Refused = append(t.Refused, st.Refused...)
		t.RefusedWithoutRetryAfter += st.RefusedWithoutRetryAfter
		t.ClientErrors += st.ClientErrors
		t.ServerErrors += st.ServerErrors
		t.Unavailable += st.Unavailable
		t.TransportErrors += st.TransportErrors
		if st.LastError != "" {
			t.LastError = name + ": " + st.LastError
		}
	}
	return t
}

// SuccessRate is the share of requests the server did the work for.
func (s RouteStats) SuccessRate() float64 {
	if s.Requests == 0 {
		return 0
	}
	return float64(len(s.Accepted)) / float64(s.Requests)
}

// Percentile returns the q-quantile (0 < q ≤ 1) of ds by nearest rank, or 0
// for no samples.
func Percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	rank := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

func errorExample(res Result) string {
	const max = 160
	b := res.Body
	if len(b) > max {
		b = b[:max]
	}
	return http.StatusText(res.Status) + ": " + string(b)
}
