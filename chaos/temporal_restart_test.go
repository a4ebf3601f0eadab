package chaos

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// temporalServer is a `sluice temporal` process on a fixed port and data
// directory, so it can be stopped and started again on the same state.
type temporalServer struct {
	t       *testing.T
	dataDir string
	addr    string
	proc    *proc
}

// startTemporalServer starts `sluice temporal` and waits for its frontend.
func startTemporalServer(t *testing.T) *temporalServer {
	t.Helper()
	ts := &temporalServer{t: t, dataDir: t.TempDir(), addr: "127.0.0.1:" + strconv.Itoa(freePort(t))}
	ts.start()
	return ts
}

func (ts *temporalServer) start() {
	ts.t.Helper()
	env := []string{"SLUICE_DATA_DIR=" + ts.dataDir, "TEMPORAL_ADDRESS=" + ts.addr, "TEMPORAL_NAMESPACE=default",
		"SLUICE_TEMPORAL_UI_PORT=0", "SLUICE_LOG_LEVEL=warn"}
	ts.proc = startProc(ts.t, "temporal", env, sluiceBin, "temporal")
	if !eventually(2*time.Minute, func() bool {
		c, err := net.DialTimeout("tcp", ts.addr, time.Second)
		if err == nil {
			_ = c.Close()
		}
		return err == nil || !ts.proc.running()
	}) || !ts.proc.running() {
		ts.t.Fatalf("sluice temporal did not listen on %s", ts.addr)
	}
}

// stop ends the server: SIGKILL when crash is set, SIGTERM otherwise.
func (ts *temporalServer) stop(crash bool) {
	if crash {
		ts.proc.kill()
		return
	}
	_ = ts.proc.cmd.Process.Signal(syscall.SIGTERM)
	ts.proc.stop(30 * time.Second)
}

// TestTemporalRestartDuringSync stops the Temporal server (`sluice
// temporal`, SQLite on disk) at a random point of each of CHAOS_RUNS merge
// runs (10 by default), SIGTERM and SIGKILL in turn, keeps it down 3–10s
// and starts it again on the same data directory. The api and worker stay
// up and must reconnect by themselves; every run must end succeeded with
// the lake equal to the source.
func TestTemporalRestartDuringSync(t *testing.T) {
	needChaos(t)
	o := &outcome{Scenario: "temporal-restart"}
	defer func() { report(*o) }()
	temporal := startTemporalServer(t)
	src := newSource(t, fixtureTables, false)
	s := newStack(t, stackOptions{TemporalAddr: temporal.addr, Namespace: "default", Env: workerTuning})
	id := s.createIntegration(testenv.PostgresCredentials(""))
	const dest = "chaos_temporal"
	s.configureMerge(id, dest, src.names())
	start := time.Now()
	if base := s.waitRun(s.startRun(id), 5*time.Minute); base["status"] != "succeeded" {
		t.Fatalf("the first load, before any fault: %v", base)
	}
	took := time.Since(start)

	interrupted := 0
	for r := 1; r <= chaosRuns(10); r++ {
		o.Runs++
		src.change(t, r)
		start := time.Now()
		runID := s.startRun(id)
		time.Sleep(time.Duration(rand.Int64N(int64(took))))
		if st := s.runState(runID); st == nil || !finished(st["status"]) {
			interrupted++
		}
		crash := r%2 == 0
		temporal.stop(crash)
		down := 3*time.Second + time.Duration(rand.Int64N(int64(7*time.Second)))
		time.Sleep(down)
		temporal.start()
		final := s.waitRun(runID, 6*time.Minute)
		got := s.compare(t, src, dest)
		t.Logf("run %d: Temporal down %s (crash %v): %v after %s, %d table attempts",
			r, down.Round(time.Millisecond), crash, final["status"], time.Since(start).Round(time.Millisecond), tableAttempts(final))
		o.settle(t, r, final, got)
	}
	o.Note = fmt.Sprintf("%d stops landed mid-run, SIGTERM and SIGKILL alternating", interrupted)
}
