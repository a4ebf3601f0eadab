package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestLakeTimeTravelAndIsolation syncs twice, then reads the first snapshot
// back, and checks a lake query can read nothing but the team's own lake.
func TestLakeTimeTravelAndIsolation(t *testing.T) {
	f := newSyncFixture(t)
	if res := f.configure(t, map[string]any{"dest_schema": "RAW", "schedule": "weekly", "load_method": "append",
		"tables": []any{f.schema + ".events"}}); res.Status != http.StatusOK {
		t.Fatalf("configure: %d %s", res.Status, res.Body)
	}
	first := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	between := time.Now().UTC()
	time.Sleep(20 * time.Millisecond)
	second := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	if first["status"] != "succeeded" || second["status"] != "succeeded" {
		t.Fatalf("runs: %v / %v", first["status"], second["status"])
	}
	if n := f.lakeRow(t, "SELECT count(*) AS n FROM RAW.events")["n"]; n != 600.0 {
		t.Fatalf("after two appends: %v rows, want 600", n)
	}
	snap := first["tables"].([]any)[0].(map[string]any)["snapshot_id"].(float64)
	res := f.env.Do(t, http.MethodPost, fmt.Sprintf("/v1/query?snapshot=%d", int64(snap)), f.token, map[string]any{"sql": "SELECT count(*) AS n FROM RAW.events"})
	if res.Status != http.StatusOK || res.JSON(t)["data"].([]any)[0].(map[string]any)["n"] != 300.0 {
		t.Fatalf("at snapshot %v: %d %s", snap, res.Status, res.Body)
	}
	res = f.env.Do(t, http.MethodPost, "/v1/query", f.token, map[string]any{"sql": "SELECT count(*) AS n FROM RAW.events", "at": between.Format(time.RFC3339Nano)})
	if res.Status != http.StatusOK || res.JSON(t)["data"].([]any)[0].(map[string]any)["n"] != 300.0 {
		t.Fatalf("at %s: %d %s", between, res.Status, res.Body)
	}

	other := f.env.Token(t, "other-team")
	if res := f.env.Do(t, http.MethodPost, "/v1/query", other, map[string]any{"sql": "SELECT count(*) FROM RAW.events"}); res.Status == http.StatusOK {
		t.Fatalf("another team read this team's lake: %s", res.Body)
	}
	for _, sql := range []string{
		"SELECT * FROM read_csv('/etc/passwd')",
		"SELECT * FROM read_text('/etc/hostname')",
		"ATTACH '/tmp/x.db' AS x",
		"COPY (SELECT 1) TO '/tmp/sluice-escape.csv'",
		"INSTALL httpfs",
	} {
		res := f.env.Do(t, http.MethodPost, "/v1/query", f.token, map[string]any{"sql": sql})
		if res.Status == http.StatusOK || res.Status >= 500 || strings.Contains(string(res.Body), "root:") {
			t.Fatalf("%q: %d %s", sql, res.Status, res.Body)
		}
	}
}
