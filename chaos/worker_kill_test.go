package chaos

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// workerTuning makes the worker's copies notice a dead worker within
// seconds and resume from many points, so a killed run recovers in
// seconds, and makes the end of a run remove orphan lake files older than
// two seconds (the harness runs one sync at a time). The worker logs at
// info so the harness can count the files its cleanup removed.
var workerTuning = []string{"SLUICE_COPY_HEARTBEAT_TIMEOUT=10s", "SLUICE_COPY_CHUNK_ROWS=40000",
	"SLUICE_LAKE_ORPHAN_GRACE=2s", "SLUICE_LOG_LEVEL=info"}

// TestWorkerKilledDuringMergeSync SIGKILLs the worker process at a random
// point of a three-table merge sync, CHAOS_RUNS times (20 by default), and
// restarts it. Each run changes a tenth of every table's rows and adds new
// ones first. Every run must end succeeded with the lake equal to the source
// (row counts, distinct keys and column sums), and afterwards the lake's
// orphan cleanup, run by the worker at the end of each run, must have left
// no file the catalog does not reference, bar those younger than its grace.
func TestWorkerKilledDuringMergeSync(t *testing.T) {
	needChaos(t)
	o := &outcome{Scenario: "worker-kill"}
	defer func() { report(*o) }()
	src := newSource(t, fixtureTables, true)
	s := newStack(t, stackOptions{Env: workerTuning})
	id := s.createIntegration(testenv.PostgresCredentials(""))
	const dest = "chaos_kill"
	s.configureMerge(id, dest, src.names())

	// The first load, without a fault, measures how long a run takes.
	start := time.Now()
	if base := s.waitRun(s.startRun(id), 5*time.Minute); base["status"] != "succeeded" {
		t.Fatalf("the first load, before any fault: %v", base)
	}
	took := time.Since(start)
	t.Logf("first load took %s", took.Round(time.Millisecond))

	final, interrupted := s.killDuringRuns(t, o, src, id, dest, took)
	s.worker.stop(30 * time.Second)
	orphans := s.orphanCheck(t, final)
	o.Note = fmt.Sprintf("%d kills landed mid-run; the runs' cleanup removed %d orphan files, none left", interrupted, orphans)
}

// killDuringRuns runs CHAOS_RUNS rounds (20 by default): src changes, a run
// starts, and the worker is SIGKILLed at a random point within took of the
// trigger and started again; each round is settled in o against dest. It
// returns the last run and how many kills landed mid-run.
func (s *stack) killDuringRuns(t *testing.T, o *outcome, src *source, id, dest string, took time.Duration) (map[string]any, int) {
	t.Helper()
	interrupted := 0
	var final map[string]any
	for r := 1; r <= chaosRuns(20); r++ {
		o.Runs++
		src.change(t, r)
		start := time.Now()
		runID := s.startRun(id)
		delay := time.Duration(rand.Int64N(int64(took)))
		time.Sleep(delay)
		state := s.runState(runID)
		midRun := state == nil || !finished(state["status"])
		if midRun {
			interrupted++
		}
		s.restartWorker()
		final = s.waitRun(runID, 6*time.Minute)
		got := s.compare(t, src, dest)
		t.Logf("run %d: killed %s after the trigger (mid-run %v): %v after %s, %d table attempts",
			r, delay.Round(time.Millisecond), midRun, final["status"], time.Since(start).Round(time.Millisecond), tableAttempts(final))
		o.settle(t, r, final, got)
	}
	return final, interrupted
}
