package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// deleteTables are orders (synced with delete_mode hard) and users (soft,
// the default of a new merge configuration), whose every round first
// deletes a different hundredth of the rows synced so far. Deleted ids never
// come back: new ids continue from the largest, a multiple of 100 that no
// round's delete (within 70 rounds) matches.
var deleteTables = func() []fixtureTable {
	orders, users := fixtureTables[0], fixtureTables[2]
	orders.Change = `DELETE FROM orders WHERE id % 100 = ({R} * 7) % 100;` + orders.Change
	users.Change = `DELETE FROM users WHERE id % 100 = ({R} * 7 + 3) % 100;` + users.Change
	return []fixtureTable{orders, users}
}()

// TestWorkerKilledDuringDeleteDetection SIGKILLs the worker right after one
// of a run's lake commits (a table's merge, after which its delete detection
// runs, or its deletes), CHAOS_RUNS times (10 by
// default), and restarts it. Every run must end succeeded with orders equal
// to the source (no deleted row left, none lost), users' unmarked rows equal
// to the source and every other key ever inserted still there, marked (no
// row lost, none marked wrongly), and no orphan file (staged keys included)
// left past the cleanup's grace.
func TestWorkerKilledDuringDeleteDetection(t *testing.T) {
	needChaos(t)
	o := &outcome{Scenario: "worker-kill-deletes"}
	defer func() { report(*o) }()
	src := newSource(t, deleteTables, false)
	s := newStack(t, stackOptions{Env: workerTuning})
	id := s.createIntegration(testenv.PostgresCredentials(""))
	const dest = "chaos_deletes"
	s.mustCall(http.StatusOK, http.MethodPost, "/v1/api/integrations/"+id+"/sync", map[string]any{
		"dest_schema": dest, "schedule": "daily", "load_method": "merge",
		"tables": []any{map[string]any{"name": src.Schema + ".orders", "delete_mode": "hard"}, src.Schema + ".users"}})
	if base := s.waitRun(s.startRun(id), 5*time.Minute); base["status"] != "succeeded" {
		t.Fatalf("the first load, before any fault: %v", base)
	}
	lk, pool := s.openTeamLake(t)
	snapshots := func() int64 {
		var n int64
		_ = pool.QueryRow(context.Background(), "SELECT count(*) FROM "+lk.CatalogSchema()+".ducklake_snapshot").Scan(&n)
		return n
	}
	users := src.Tables[1]
	var final map[string]any
	landed := 0
	for r := 1; r <= chaosRuns(10); r++ {
		o.Runs++
		src.change(t, r)
		before := snapshots()
		runID := s.startRun(id)
		// Each run commits four snapshots: a merge and its deletes per table.
		after := int64(1 + rand.IntN(3))
		reached := eventually(3*time.Minute, func() bool {
			return snapshots() >= before+after || finished(s.runState(runID)["status"])
		})
		time.Sleep(time.Duration(rand.IntN(150)) * time.Millisecond)
		if reached && !finished(s.runState(runID)["status"]) {
			landed++
		}
		s.restartWorker()
		final = s.waitRun(runID, 6*time.Minute)
		got := s.compare(t, &source{Schema: src.Schema, Tables: src.Tables[:1]}, dest)
		got.Mismatches = append(got.Mismatches, s.softDeleteMismatches(t, src, users, dest, r)...)
		t.Logf("run %d: killed after snapshot %d of the run: %v, %d table attempts", r, after, final["status"], tableAttempts(final))
		o.settle(t, r, final, got)
	}
	s.worker.stop(30 * time.Second)
	orphans := s.orphanCheck(t, final)
	o.Note = fmt.Sprintf("%d kills landed mid-run, after a merge or delete commit; the runs' cleanup removed %d orphan files, none left", landed, orphans)
}

// softDeleteMismatches compares the soft-deleted table after round r: its
// unmarked rows must equal the source's, and it must hold every key ever
// inserted (the fill and 500 a round), the deleted ones marked.
func (s *stack) softDeleteMismatches(t *testing.T, src *source, ft fixtureTable, dest string, r int) []string {
	t.Helper()
	want := src.sourceChecksum(t, ft)
	live := s.query(t, checksumSQL(ft, "(SELECT * FROM "+dest+"."+ft.Name+" WHERE _sluice_deleted_at IS NULL) AS live"))
	got := make(checksum, len(want))
	for i := range got {
		got[i] = integer(live[0]["c"+strconv.Itoa(i)])
	}
	var out []string
	if fmt.Sprint(got) != fmt.Sprint(want) {
		out = append(out, fmt.Sprintf("%s unmarked rows: source %v, lake %v", ft.Name, want, got))
	}
	all := s.query(t, "SELECT count(*) AS n, count(DISTINCT id) AS k FROM "+dest+"."+ft.Name)
	if n, k, ever := integer(all[0]["n"]), integer(all[0]["k"]), int64(ft.Rows+500*r); n != ever || k != ever {
		out = append(out, fmt.Sprintf("%s holds %d rows, %d keys; %d keys were ever inserted", ft.Name, n, k, ever))
	}
	return out
}
