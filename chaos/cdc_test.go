package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv/pgcluster"
)

// cdcScenario is a cdc sync (hard deletes, so the lake must equal the
// source) of the fixture tables in a private wal_level=logical cluster,
// owned by the replication role "capture", after its snapshot.
type cdcScenario struct {
	srv  *pgcluster.Server
	src  *source
	s    *stack
	id   string
	dest string
}

func newCDCScenario(t *testing.T, dest string) cdcScenario {
	t.Helper()
	srv := pgcluster.StartLogical(t)
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
	c := cdcScenario{srv: srv, src: &source{Schema: "public", Tables: tables, URL: srv.URL("src")}, dest: dest}
	// Windows of 1 MiB of WAL: a round is several windows, each committed
	// and the slot advanced past it, so faults land between windows too.
	c.s = newStack(t, stackOptions{Env: append(slices.Clip(workerTuning), "SLUICE_CDC_WINDOW_MB=1")})
	c.id = c.s.createIntegration(srv.Credentials("src", "capture"))
	c.s.configureSync(c.id, map[string]any{"dest_schema": dest, "load_method": "cdc", "delete_mode": "hard"}, c.src.names())
	if base := c.s.waitRun(c.s.startRun(c.id), 5*time.Minute); base["status"] != "succeeded" {
		t.Fatalf("the snapshot, before any fault: %v", base)
	}
	return c
}

// slotPositions says where the source's replication slot stands: the WAL it
// holds back from (restart) and what sluice confirmed.
func (c cdcScenario) slotPositions(t *testing.T) string {
	t.Helper()
	conn := c.src.connect(t)
	defer conn.Close(context.Background())
	var pos string
	if err := conn.QueryRow(context.Background(), `SELECT format('restart %s, confirmed %s, server %s', restart_lsn, confirmed_flush_lsn, pg_current_wal_lsn())
		FROM pg_replication_slots`).Scan(&pos); err != nil {
		return err.Error()
	}
	return pos
}

// TestWorkerKilledDuringCDCSync SIGKILLs the worker at a random point of a
// cdc run applying a round of updates, inserts and deletes of three tables,
// CHAOS_RUNS times, and restarts it. Every run must end succeeded with the
// lake equal to the source: nothing lost, nothing applied twice, whether the
// kill came before the lake commit, between it and the slot's advance, or
// after.
func TestWorkerKilledDuringCDCSync(t *testing.T) {
	needChaos(t)
	o := &outcome{Scenario: "cdc-worker-kill"}
	defer func() { report(*o) }()
	c := newCDCScenario(t, "chaos_cdc")
	// A round without a fault measures how long applying one takes, so the
	// kills land before, during and after its lake commits.
	c.src.change(t, 0)
	start := time.Now()
	if base := c.s.waitRun(c.s.startRun(c.id), 5*time.Minute); base["status"] != "succeeded" {
		t.Fatalf("a round of changes, before any fault: %v", base)
	}
	took := time.Since(start)
	t.Logf("a round of changes took %s", took.Round(time.Millisecond))
	_, interrupted := c.s.killDuringRuns(t, o, c.src, c.id, c.dest, took)
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
	c := newCDCScenario(t, "chaos_cdc_restart")
	for r := 1; r <= chaosRuns(20); r++ {
		o.Runs++
		c.src.change(t, r)
		runID := c.s.startRun(c.id)
		time.Sleep(time.Duration(rand.Int64N(int64(time.Second))))
		mode := "fast"
		if r%2 == 0 {
			mode = "immediate"
		}
		c.srv.Stop(mode)
		c.srv.Start()
		final := c.s.waitRun(runID, 6*time.Minute)
		got := c.s.compare(t, c.src, c.dest)
		// A slot's restart position (the WAL it keeps) moves only past a
		// running-transactions record, which a server logs every 15 s of
		// activity and at online checkpoints; restarted every few seconds,
		// this one would log none, and its slot would keep every round's WAL.
		c.srv.Exec("postgres", "CHECKPOINT")
		t.Logf("run %d: source stopped (%s) and started: %v, %d table attempts; slot %s", r, mode, final["status"], tableAttempts(final), c.slotPositions(t))
		o.settle(t, r, final, got)
	}
}
