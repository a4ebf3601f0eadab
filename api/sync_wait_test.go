package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/api"
)

// A GET of a run with ?wait= answers when the run finishes, without the
// client polling; a wait that runs out answers the run as it stands.
func TestSyncRunWaitAnswersWhenTheRunFinishes(t *testing.T) {
	f := newSyncFixture(t)
	f.configured(t, map[string]any{"dest_schema": "W", "schedule": "daily", "tables": []any{f.schema + ".users"}})
	res := f.env.Do(t, http.MethodPost, "/v1/api/integrations/"+f.id+"/sync/run", f.token, nil)
	if res.Status != http.StatusAccepted {
		t.Fatalf("start run: %d %s", res.Status, res.Body)
	}
	runID := res.JSON(t)["data"].(map[string]any)["id"].(string)

	start := time.Now()
	short := f.env.Do(t, http.MethodGet, "/v1/api/syncs/"+runID+"?wait=1ms", f.token, nil)
	if short.Status != http.StatusOK || time.Since(start) > 5*time.Second {
		t.Fatalf("a wait that runs out: %d after %s: %s", short.Status, time.Since(start), short.Body)
	}
	if res := f.env.Do(t, http.MethodGet, "/v1/api/syncs/"+runID+"?wait=5s", env2Token(t, f), nil); res.Status != http.StatusNotFound {
		t.Fatalf("another team waits on the run: %d %s", res.Status, res.Body)
	}

	// One request, no polling: it returns the finished run.
	done := f.env.Do(t, http.MethodGet, "/v1/api/syncs/"+runID+"?wait=60", f.token, nil)
	run := done.JSON(t)["data"].(map[string]any)
	if done.Status != http.StatusOK || run["status"] != "succeeded" {
		t.Fatalf("wait=60 answered %d with run %v", done.Status, run)
	}
	if tables := runTables(run); tables[f.schema+".users"]["status"] != "succeeded" {
		t.Fatalf("the finished run's tables: %v", run["tables"])
	}
}

func TestSyncRunWaitRefusesBadDurations(t *testing.T) {
	f := newSyncFixture(t)
	unknown := "/v1/api/syncs/00000000-0000-4000-8000-000000000000"
	for _, wait := range []string{"abc", "61s", "2m", "-1s", "-1", "9999999999999", "1e9"} {
		res := f.env.Do(t, http.MethodGet, unknown+"?wait="+wait, f.token, nil)
		if res.Status != http.StatusBadRequest {
			t.Errorf("wait=%s: %d %s, want 400", wait, res.Status, res.Body)
		}
	}
	if res := f.env.Do(t, http.MethodGet, unknown+"?wait=2s", f.token, nil); res.Status != http.StatusNotFound {
		t.Errorf("waiting on an unknown run: %d %s, want 404 at once", res.Status, res.Body)
	}
}

// Waiting requests give their route group's slot back, so they cannot fill
// the server and refuse everyone else; a team's waits are bounded on their
// own (429 past them); and every waiter hears of the run's end at once.
func TestWaitingRequestsDoNotFillTheServer(t *testing.T) {
	f := newSyncFixture(t)
	f.configured(t, map[string]any{"dest_schema": "W", "schedule": "daily", "tables": []any{f.schema + ".users"}})
	runID := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)["id"].(string)
	ctx := context.Background()
	// The run looks unfinished again, and nothing will finish it but the test.
	if _, err := f.env.Pool.Exec(ctx, `UPDATE sync_runs SET status = 'running', finished_at = NULL WHERE id = $1`, runID); err != nil {
		t.Fatal(err)
	}
	f.env.Router = api.NewRouter(f.env.Service, api.Options{MaxInFlight: 4, Lake: f.env.Lake, Alerts: f.env.Alerts,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	path := "/v1/api/syncs/" + runID

	type answer struct {
		status int
		run    string
	}
	answers := make(chan answer, 32)
	for range 32 {
		go func() {
			// With 4 slots, a request that finds none is refused at once
			// (503), and one that finds the team's waits taken by the probe
			// below is too (429); it asks again, as a client would.
			res := f.env.Do(t, http.MethodGet, path+"?wait=30s", f.token, nil)
			for res.Status == http.StatusServiceUnavailable || res.Status == http.StatusTooManyRequests {
				time.Sleep(10 * time.Millisecond)
				res = f.env.Do(t, http.MethodGet, path+"?wait=30s", f.token, nil)
			}
			var body struct {
				Data struct {
					Status string `json:"status"`
				} `json:"data"`
			}
			_ = json.Unmarshal(res.Body, &body)
			answers <- answer{res.Status, body.Data.Status}
		}()
	}
	// Once the 32 wait, a 33rd is refused. Until then it is admitted and
	// waits out a moment, then pauses, leaving the place to the 32.
	refused := false
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && !refused; {
		res := f.env.Do(t, http.MethodGet, path+"?wait=5ms", f.token, nil)
		switch res.Status {
		case http.StatusTooManyRequests:
			refused = true
		case http.StatusOK, http.StatusServiceUnavailable:
			time.Sleep(50 * time.Millisecond)
		default:
			t.Fatalf("a 33rd wait: %d %s", res.Status, res.Body)
		}
	}
	if !refused {
		t.Fatal("a team's 33rd wait at once was never refused")
	}
	// 32 waiting requests, 4 slots: other requests are still served (the
	// 33rd wait above was too, when refused with 429 rather than 503).
	for i := range 8 {
		if res := f.env.Do(t, http.MethodGet, path, f.token, nil); res.Status != http.StatusOK {
			t.Fatalf("request %d beside the waiters: %d %s", i, res.Status, res.Body)
		}
	}
	if _, err := f.env.Pool.Exec(ctx, `UPDATE sync_runs SET status = 'succeeded', finished_at = now() WHERE id = $1`, runID); err != nil {
		t.Fatal(err)
	}
	finished := time.Now()
	for range 32 {
		select {
		case a := <-answers:
			if a.status != http.StatusOK || a.run != "succeeded" {
				t.Errorf("a waiter answered %d with status %q", a.status, a.run)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a waiter did not answer after the run finished")
		}
	}
	if took := time.Since(finished); took > 2*time.Second {
		t.Errorf("the waiters answered %s after the run finished", took)
	}
}
