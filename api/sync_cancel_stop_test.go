package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/internal/testenv"
)

// cancelStopBound is how soon after a cancel a run's table copy must stop
// reading its source (issue 14: it went on for 7s or more).
const cancelStopBound = 2 * time.Second

// TestSyncCancelStopsTheCopyPromptly cancels a run while its copy streams a
// source that yields rows slowly and for ever, once the copy has been
// reading for longer than its first heartbeat (before, the SDK then held the
// next heartbeat, the only way a cancel reaches an activity, for 24s). The
// source's query must be gone within cancelStopBound of the cancel, and
// nothing of the table committed to the lake.
func TestSyncCancelStopsTheCopyPromptly(t *testing.T) {
	f := newSyncFixture(t)
	testenv.ExecPostgres(t, "CREATE VIEW "+f.schema+".slow_stream AS SELECT g AS id, md5(g::text) AS v "+
		"FROM generate_series(1, 1000000000) g WHERE pg_sleep(0.0005)::text = ''")
	f.configured(t, map[string]any{"dest_schema": "D", "schedule": "daily", "load_method": "append", "tables": []any{f.schema + ".slow_stream"}})
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dbtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	reading := func() int {
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()
			AND state = 'active' AND query LIKE '%slow_stream%' AND query NOT LIKE '%pg_stat_activity%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	res := f.env.Do(t, http.MethodPost, "/v1/api/integrations/"+f.id+"/sync/run", f.token, nil)
	if res.Status != http.StatusAccepted {
		t.Fatalf("start run: %d %s", res.Status, res.Body)
	}
	runID := res.JSON(t)["data"].(map[string]any)["id"].(string)
	f.waitRun(t, runID, func(run map[string]any) bool {
		tb, ok := runTables(run)[f.schema+".slow_stream"]
		return ok && tb["status"] == "running"
	})
	for deadline := time.Now().Add(30 * time.Second); reading() == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the copy never started reading the source")
		}
	}
	time.Sleep(7 * time.Second) // past the copy's first heartbeat

	start := time.Now()
	if res := f.env.Do(t, http.MethodPost, "/v1/api/syncs/"+runID+"/cancel", f.token, nil); res.Status != http.StatusAccepted {
		t.Fatalf("cancel: %d %s", res.Status, res.Body)
	}
	for reading() > 0 {
		if time.Since(start) > 60*time.Second {
			t.Fatal("the copy still reads the source a minute after the cancel")
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopped := time.Since(start)
	t.Logf("the copy stopped reading %s after the cancel", stopped.Round(time.Millisecond))
	if stopped > cancelStopBound {
		t.Errorf("the copy stopped reading %s after the cancel, want within %s", stopped.Round(time.Millisecond), cancelStopBound)
	}

	run := f.waitRun(t, runID, finished)
	if run["status"] != "cancelled" {
		t.Fatalf("run after cancel: %v", run["status"])
	}
	tb := runTables(run)[f.schema+".slow_stream"]
	if tb["snapshot_id"] != nil {
		t.Errorf("the cancelled copy committed snapshot %v", tb["snapshot_id"])
	}
	if tb["status"] != "cancelled" {
		t.Errorf("the cancelled copy's table ended %v; a finished run leaves no table running", tb["status"])
	}
	if res := f.env.Do(t, http.MethodPost, "/v1/query", f.token, map[string]any{"sql": "SELECT count(*) FROM D.slow_stream"}); res.Status == http.StatusOK {
		t.Errorf("the cancelled copy's table is in the lake: %s", res.Body)
	}
}
