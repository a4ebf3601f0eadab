package chaos

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// downMaxLatency is how long a request may take while sluice's database is
// down: failing fast means well under the pool's 5s connect timeout.
const downMaxLatency = 3 * time.Second

// apiSample is one request of the load and how it went.
type apiSample struct {
	start, end time.Time
	status     int
	retryAfter string
	taskID     string // the task a write created, if it wrote one
	err        error
}

// apiLoad sends task-run writes (/log/task) and integration reads from a
// few clients until stop is closed.
type apiLoad struct {
	s       *stack
	mu      sync.Mutex
	samples []apiSample
	stop    chan struct{}
	wg      sync.WaitGroup
}

func startAPILoad(s *stack, clients int) *apiLoad {
	l := &apiLoad{s: s, stop: make(chan struct{})}
	for c := 0; c < clients; c++ {
		l.wg.Add(1)
		go l.client(c)
	}
	return l
}

func (l *apiLoad) client(c int) {
	defer l.wg.Done()
	for i := 0; ; i++ {
		select {
		case <-l.stop:
			return
		default:
		}
		smp := apiSample{start: time.Now()}
		var r reply
		if i%4 == 3 {
			r, smp.err = l.s.callWithin(10*time.Second, http.MethodGet, "/v1/api/integrations", nil)
		} else {
			id := fmt.Sprintf("chaos-%d-%d-%d", c, i, rand.Int64())
			r, smp.err = l.s.callWithin(10*time.Second, http.MethodPost, "/log/task", map[string]any{
				"task_id": id, "app_name": "chaos", "task_name": "load", "task_type": "chaos", "status": "start"})
			if smp.err == nil && r.Status/100 == 2 {
				smp.taskID = id
			}
		}
		smp.end, smp.status = time.Now(), r.Status
		if r.Header != nil {
			smp.retryAfter = r.Header.Get("Retry-After")
		}
		l.mu.Lock()
		l.samples = append(l.samples, smp)
		l.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
}

// finish stops the clients and returns every sample.
func (l *apiLoad) finish() []apiSample {
	close(l.stop)
	l.wg.Wait()
	return l.samples
}

// outage is what the load saw while the database was down.
type outage struct {
	requests, unavailable, other, slow, noRetryAfter int
	statuses                                         map[int]int
	worst                                            time.Duration
}

func (o outage) String() string {
	codes := make([]string, 0, len(o.statuses))
	for code, n := range o.statuses {
		codes = append(codes, fmt.Sprintf("%d×%d", n, code))
	}
	sort.Strings(codes)
	return fmt.Sprintf("%d requests while down %v, slowest %s", o.requests, codes, o.worst.Round(time.Millisecond))
}

// duringOutage summarizes the samples that started and ended between down and up.
func duringOutage(samples []apiSample, down, up time.Time) outage {
	o := outage{statuses: map[int]int{}}
	for _, s := range samples {
		if s.start.Before(down) || s.end.After(up) {
			continue
		}
		o.requests++
		o.statuses[s.status]++
		if took := s.end.Sub(s.start); took > o.worst {
			o.worst = took
		}
		switch {
		case s.status == http.StatusServiceUnavailable:
			o.unavailable++
			if _, err := strconv.Atoi(s.retryAfter); err != nil {
				o.noRetryAfter++
			}
		default:
			o.other++
		}
		if s.end.Sub(s.start) > downMaxLatency {
			o.slow++
		}
	}
	return o
}

// recoveredAfter is how long after up the first 2xx answer came.
func recoveredAfter(samples []apiSample, up time.Time) (time.Duration, bool) {
	best, ok := time.Duration(0), false
	for _, s := range samples {
		if s.start.After(up) && s.status/100 == 2 && (!ok || s.end.Sub(up) < best) {
			best, ok = s.end.Sub(up), true
		}
	}
	return best, ok
}

// TestPostgresRestartDuringAPILoad stops sluice's own Postgres (a private
// cluster) under API load CHAOS_RUNS times (10 by default), "fast" and
// "immediate" in turn, for 4s each. While it is down every request must
// fail fast (under 3s) with 503 and Retry-After; the API must serve again
// within 15s of the restart without being restarted itself; and every
// task run it acknowledged with 2xx must be there at the end.
func TestPostgresRestartDuringAPILoad(t *testing.T) {
	needChaos(t)
	o := &outcome{Scenario: "postgres-restart-api"}
	defer func() { report(*o) }()
	pg := startPGCluster(t)
	s := newStack(t, stackOptions{DatabaseURL: pg.URL("sluice"), Env: workerTuning})
	s.mustCall(http.StatusCreated, http.MethodPost, "/log/task", map[string]any{
		"task_id": "chaos-first", "app_name": "chaos", "task_name": "load", "task_type": "chaos", "status": "start"})
	load := startAPILoad(s, 3)
	type cycle struct{ down, up time.Time }
	var cycles []cycle
	for r := 1; r <= chaosRuns(10); r++ {
		time.Sleep(2*time.Second + time.Duration(rand.Int64N(int64(2*time.Second))))
		mode := map[bool]string{true: "immediate", false: "fast"}[r%2 == 0]
		pg.Stop(mode)
		down := time.Now()
		time.Sleep(4 * time.Second)
		up := time.Now()
		pg.Start()
		cycles = append(cycles, cycle{down, up})
		eventually(15*time.Second, func() bool {
			r, err := s.call(http.MethodGet, "/v1/api/integrations", nil)
			return err == nil && r.Status == http.StatusOK
		})
	}
	time.Sleep(2 * time.Second)
	samples := load.finish()

	worst := time.Duration(0)
	for i, c := range cycles {
		o.Runs++
		seen := duringOutage(samples, c.down, c.up)
		rec, ok := recoveredAfter(samples, c.up)
		t.Logf("restart %d: %v; first 2xx %s after the restart", i+1, seen, rec.Round(time.Millisecond))
		if seen.worst > worst {
			worst = seen.worst
		}
		if seen.requests == 0 || seen.other > 0 || seen.slow > 0 || seen.noRetryAfter > 0 || !ok || rec > 15*time.Second {
			t.Errorf("restart %d: %v, %d without Retry-After, recovered %v after %s; want only fast 503s with Retry-After and recovery within 15s",
				i+1, seen, seen.noRetryAfter, ok, rec)
			continue
		}
		o.Passed++
	}
	// Across the whole load, including requests in flight as the database
	// went away, a failure may only be a 503.
	for _, smp := range samples {
		if smp.err != nil || smp.status >= 500 && smp.status != http.StatusServiceUnavailable {
			o.Passed = 0
			t.Errorf("a request at %s answered %d (%v); want 2xx or 503", smp.start.Format(time.StampMilli), smp.status, smp.err)
		}
	}
	if t.Failed() {
		for _, e := range logEntries(s.apiLogs, "request failed") {
			t.Logf("api: %v %v: %v", e["status"], e["route"], e["error"])
		}
	}
	acked, lost := 0, 0
	for _, smp := range samples {
		if smp.taskID == "" {
			continue
		}
		acked++
		if r, err := s.call(http.MethodGet, "/api/tasks/"+smp.taskID, nil); err != nil || r.Status != http.StatusOK {
			lost++
			t.Errorf("task %s was acknowledged with %d but is not there now (%v, %d)", smp.taskID, smp.status, err, r.Status)
		}
	}
	o.Lost = int64(lost)
	o.Note = fmt.Sprintf("%d requests, %d writes acknowledged; slowest answer while down %s", len(samples), acked, worst.Round(time.Millisecond))
}

// TestPostgresRestartDuringSync stops sluice's own Postgres (which also
// holds the lake's catalog) for 3–8s at a random point of each of
// CHAOS_RUNS merge runs (10 by default). Every run must end succeeded with
// the lake equal to the source.
func TestPostgresRestartDuringSync(t *testing.T) {
	needChaos(t)
	o := &outcome{Scenario: "postgres-restart-sync"}
	defer func() { report(*o) }()
	pg := startPGCluster(t)
	src := newSource(t, fixtureTables, false)
	s := newStack(t, stackOptions{DatabaseURL: pg.URL("sluice"), Env: workerTuning})
	id := s.createIntegration(testenv.PostgresCredentials(""))
	const dest = "chaos_pg"
	s.configureMerge(id, dest, src.names())
	start := time.Now()
	if base := s.waitRun(s.startRun(id), 5*time.Minute); base["status"] != "succeeded" {
		t.Fatalf("the first load, before any fault: %v", base)
	}
	took := time.Since(start)
	for r := 1; r <= chaosRuns(10); r++ {
		o.Runs++
		src.change(t, r)
		start := time.Now()
		runID := s.startRun(id)
		time.Sleep(time.Duration(rand.Int64N(int64(took))))
		mode := map[bool]string{true: "immediate", false: "fast"}[r%2 == 0]
		pg.Stop(mode)
		down := 3*time.Second + time.Duration(rand.Int64N(int64(5*time.Second)))
		time.Sleep(down)
		pg.Start()
		final := s.waitRun(runID, 8*time.Minute)
		got := s.compare(t, src, dest)
		t.Logf("run %d: Postgres down %s (%s): %v after %s, %d table attempts",
			r, down.Round(time.Millisecond), mode, final["status"], time.Since(start).Round(time.Millisecond), tableAttempts(final))
		o.settle(t, r, final, got)
	}
	o.Note = "sluice's database stopped fast and immediate in turn"
}
