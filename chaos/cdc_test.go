package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv/logicalpg"
)

// cdcSource fills the fixture tables in a private wal_level=logical
// cluster, owned by the replication role "capture".
func cdcSource(t *testing.T) (*logicalpg.Server, *source) {
	t.Helper()
	srv := logicalpg.Start(t)
	srv.Exec("postgres", "CREATE ROLE capture LOGIN REPLICATION")
	srv.Exec("postgres", "CREATE DATABASE src OWNER capture")
	tables := append([]fixtureTable(nil), fixtureTables...)
	var setup strings.Builder
	for i, ft := range tables {
		if short() {
			ft.Rows /= 4
		}
		// Deletes too: cdc applies them in the same commit as the rest.
		ft.Change += "DELETE FROM " + ft.Name + " WHERE (" + ft.Key + ") % 97 = {R};"
		tables[i] = ft
		setup.WriteString(strings.ReplaceAll(ft.Fill, "{N}", strconv.Itoa(ft.Rows)))
	}
	srv.Exec("src", "SET ROLE capture; "+setup.String())
	return srv, &source{Schema: "public", Tables: tables, URL: srv.URL("src")}
}

// slotPositions says where the source's replication slot stands: the WAL it
// holds back from (restart) and what sluice confirmed.
func slotPositions(t *testing.T, src *source) string {
	t.Helper()
	conn := src.connect(t)
	defer conn.Close(context.Background())
	var pos string
	if err := conn.QueryRow(context.Background(), `SELECT format('restart %s, confirmed %s, server %s', restart_lsn, confirmed_flush_lsn, pg_current_wal_lsn())
		FROM pg_replication_slots`).Scan(&pos); err != nil {
		return err.Error()
	}
	return pos
}

// configureCDC configures a daily cdc sync with hard deletes, so the lake
// must equal the source.
func (s *stack) configureCDC(integrationID, destSchema string, tables []string) {
	s.t.Helper()
	names := make([]any, len(tables))
	for i, t := range tables {
		names[i] = t
	}
	s.mustCall(http.StatusOK, http.MethodPost, "/v1/api/integrations/"+integrationID+"/sync", map[string]any{
		"dest_schema": destSchema, "schedule": "daily", "load_method": "cdc", "delete_mode": "hard", "tables": names})
}

// TestWorkerKilledDuringCDCSync SIGKILLs the worker at a random point of a
// cdc run (its snapshot first, then applying a round of updates, inserts
// and deletes of three tables), CHAOS_RUNS times, and restarts it. Every
// run must end succeeded with the lake equal to the source: nothing lost,
// nothing applied twice, whether the kill came before the lake commit,
// between it and the slot's advance, or after.
func TestWorkerKilledDuringCDCSync(t *testing.T) {
	needChaos(t)
	o := &outcome{Scenario: "cdc-worker-kill"}
	defer func() { report(*o) }()
	srv, src := cdcSource(t)
	s := newStack(t, stackOptions{Env: workerTuning})
	id := s.createIntegration(srv.Credentials("src", "capture"))
	const dest = "chaos_cdc"
	s.configureCDC(id, dest, src.names())
	if base := s.waitRun(s.startRun(id), 5*time.Minute); base["status"] != "succeeded" {
		t.Fatalf("the snapshot, before any fault: %v", base)
	}
	// A round without a fault measures how long applying one takes, so the
	// kills land before, during and after its lake commits.
	src.change(t, 0)
	start := time.Now()
	if base := s.waitRun(s.startRun(id), 5*time.Minute); base["status"] != "succeeded" {
		t.Fatalf("a round of changes, before any fault: %v", base)
	}
	took := time.Since(start)
	t.Logf("a round of changes took %s", took.Round(time.Millisecond))
	interrupted := 0
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
		final := s.waitRun(runID, 6*time.Minute)
		got := s.compare(t, src, dest)
		t.Logf("run %d: killed %s after the trigger (mid-run %v): %v after %s, %d table attempts",
			r, delay.Round(time.Millisecond), midRun, final["status"], time.Since(start).Round(time.Millisecond), tableAttempts(final))
		o.settle(t, r, final, got)
	}
	o.Note = fmt.Sprintf("%d kills landed mid-run", interrupted)
}

// TestSourceRestartDuringCDCSync restarts the source Postgres (a fast
// shutdown, then a crash) in the middle of cdc runs: the run retries,
// streams from the slot's confirmed position again and ends with the lake
// equal to the source.
func TestSourceRestartDuringCDCSync(t *testing.T) {
	needChaos(t)
	o := &outcome{Scenario: "cdc-source-restart"}
	defer func() { report(*o) }()
	srv, src := cdcSource(t)
	s := newStack(t, stackOptions{Env: workerTuning})
	id := s.createIntegration(srv.Credentials("src", "capture"))
	const dest = "chaos_cdc_restart"
	s.configureCDC(id, dest, src.names())
	if base := s.waitRun(s.startRun(id), 5*time.Minute); base["status"] != "succeeded" {
		t.Fatalf("the snapshot, before any fault: %v", base)
	}
	for r := 1; r <= chaosRuns(20); r++ {
		o.Runs++
		src.change(t, r)
		runID := s.startRun(id)
		time.Sleep(time.Duration(rand.Int64N(int64(time.Second))))
		mode := "fast"
		if r%2 == 0 {
			mode = "immediate"
		}
		srv.Stop(mode)
		srv.Start()
		final := s.waitRun(runID, 6*time.Minute)
		got := s.compare(t, src, dest)
		// A slot's restart position (the WAL it keeps) moves only past a
		// running-transactions record, which a server logs every 15 s of
		// activity and at online checkpoints; restarted every few seconds,
		// this one would log none, and its slot would keep every round's WAL.
		srv.Exec("postgres", "CHECKPOINT")
		t.Logf("run %d: source stopped (%s) and started: %v, %d table attempts; slot %s", r, mode, final["status"], tableAttempts(final), slotPositions(t, src))
		o.settle(t, r, final, got)
	}
}
