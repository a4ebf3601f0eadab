package api_test

import (
	"net/http"
	"testing"
	"time"
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
