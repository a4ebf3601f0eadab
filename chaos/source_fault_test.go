package chaos

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// proxiedSource fills the fixture tables, puts a fault proxy in front of
// their Postgres server and configures a merge sync of them through it.
func proxiedSource(t *testing.T, dest string) (*stack, *source, *faultProxy, string) {
	t.Helper()
	src := newSource(t, fixtureTables, false)
	creds := testenv.PostgresCredentials("")
	proxy := newFaultProxy(t, net.JoinHostPort(creds["host"].(string), creds["port"].(string)))
	creds["port"] = proxy.Port()
	s := newStack(t, stackOptions{Env: workerTuning})
	id := s.createIntegration(creds)
	s.configureMerge(id, dest, src.names())
	return s, src, proxy, id
}

// TestSourceDropsConnections resets every source connection once or twice
// in the middle of each of CHAOS_RUNS runs (10 by default), after a random
// amount of data has come through. The tables must retry (Temporal's
// backoff) and every run must end succeeded with the lake equal to the source.
func TestSourceDropsConnections(t *testing.T) {
	needChaos(t)
	o := &outcome{Scenario: "source-drop"}
	defer func() { report(*o) }()
	const dest = "chaos_drop"
	s, src, proxy, id := proxiedSource(t, dest)
	// A load without faults measures how much a run reads, to drop within it.
	before := proxy.Down.Load()
	if base := s.waitRun(s.startRun(id), 5*time.Minute); base["status"] != "succeeded" {
		t.Fatalf("the first load, before any fault: %v", base)
	}
	perRun := proxy.Down.Load() - before
	dropped, retried := 0, 0
	for r := 1; r <= chaosRuns(10); r++ {
		o.Runs++
		src.change(t, r)
		threshold := proxy.Down.Load() + perRun/20 + rand.Int64N(perRun*3/4)
		drops := 0
		runID := s.startRun(id)
		var final map[string]any
		eventually(6*time.Minute, func() bool {
			if drops < 2 && proxy.Down.Load() > threshold {
				if proxy.DropAll() > 0 {
					drops++
				}
				threshold = proxy.Down.Load() + rand.Int64N(perRun/4)
			}
			final = s.runState(runID)
			return final != nil && finished(final["status"])
		})
		if final == nil || !finished(final["status"]) {
			t.Fatalf("run %d did not finish: %v", r, final)
		}
		dropped += drops
		attempts := tableAttempts(final)
		if attempts > len(src.Tables) {
			retried++
		}
		got := s.compare(t, src, dest)
		t.Logf("run %d: %d drops, %v, %d table attempts", r, drops, final["status"], attempts)
		o.settle(t, r, final, got)
	}
	o.Note = fmt.Sprintf("%d connection drops; %d runs retried a table", dropped, retried)
}

// TestSourceStalls stalls the source mid-read. First for 25s, longer than
// the copy's heartbeat timeout, then the source recovers: the copy must be
// retried and the run end succeeded with the lake equal to the source. Then
// for good: the run must fail, each table with an error that says what
// the source did, not a bare Temporal timeout.
func TestSourceStalls(t *testing.T) {
	needChaos(t)
	o := &outcome{Scenario: "source-stall"}
	defer func() { report(*o) }()
	const dest = "chaos_stall"
	s, src, proxy, id := proxiedSource(t, dest)

	o.Runs++
	final := stallRun(t, s, proxy, id, 25*time.Second)
	got := s.compare(t, src, dest)
	o.Lost, o.Duplicated = got.Lost, got.Duplicated
	t.Logf("stalled 25s then recovered: %v, %d table attempts", final["status"], tableAttempts(final))
	if final["status"] != "succeeded" || len(got.Mismatches) > 0 || tableAttempts(final) <= len(src.Tables) {
		t.Errorf("stall then recovery: status %v (error %v), %d table attempts; lake against source: %v",
			final["status"], final["error"], tableAttempts(final), got.Mismatches)
	} else {
		o.Passed++
	}

	if short() {
		o.Note = "short form: the stall for good, which waits out every retry, not run"
		return
	}
	o.Runs++
	src.change(t, 2)
	final = stallRun(t, s, proxy, id, 0)
	t.Logf("stalled for good: %v (%v)", final["status"], final["error"])
	if msgs := tableErrors(final); final["status"] != "failed" || len(msgs) == 0 || anyGeneric(msgs) {
		t.Errorf("a source stalled for good: status %v, table errors %q; want failed with the source's own error", final["status"], msgs)
	} else {
		o.Passed++
		o.Note = "source stalled for good: " + msgs[0]
	}
}

// stallRun starts a run, stalls the proxy once 1 MiB has come through,
// lifts the stall after stallFor (never if it is zero) and returns the
// run's final state.
func stallRun(t *testing.T, s *stack, proxy *faultProxy, id string, stallFor time.Duration) map[string]any {
	t.Helper()
	proxy.StallAfter(1 << 20)
	runID := s.startRun(id)
	if !eventually(2*time.Minute, proxy.Stalled) {
		t.Fatalf("the run read no data through the proxy")
	}
	if stallFor > 0 {
		time.Sleep(stallFor)
		proxy.Stall(false)
	} else {
		defer proxy.Stall(false)
	}
	return s.waitRun(runID, 8*time.Minute)
}

// tableErrors lists the errors of a run's tables.
func tableErrors(run map[string]any) []string {
	var out []string
	tables, _ := run["tables"].([]any)
	for _, tb := range tables {
		if msg, ok := tb.(map[string]any)["error"].(string); ok && msg != "" {
			out = append(out, msg)
		}
	}
	return out
}

// anyGeneric reports whether a message only says that Temporal timed an
// activity out, without what the source did.
func anyGeneric(msgs []string) bool {
	for _, m := range msgs {
		l := strings.ToLower(m)
		if strings.HasPrefix(l, "activity ") && strings.Contains(l, "timeout") || l == "internal error" || l == "" {
			return true
		}
	}
	return false
}
