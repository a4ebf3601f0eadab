package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// TestSyncIncompatibleTypeChangeFailsOnlyThatTable changes a synced column
// to a type the lake cannot widen to: the next run fails that table at once
// (no retries) with the lake's message, copies the other table, and ends
// partially_succeeded; the lake keeps the table's earlier rows.
func TestSyncIncompatibleTypeChangeFailsOnlyThatTable(t *testing.T) {
	f := newSyncFixture(t)
	if res := f.configure(t, map[string]any{"dest_schema": "DATA", "schedule": "daily", "load_method": "merge",
		"tables": []any{f.schema + ".users", f.schema + ".orders"}}); res.Status != http.StatusOK {
		t.Fatalf("configure: %d %s", res.Status, res.Body)
	}
	if first := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil); first["status"] != "succeeded" {
		t.Fatalf("first run: %v", first)
	}
	testenv.ExecPostgres(t, "ALTER TABLE "+f.schema+".users ALTER COLUMN active TYPE text USING active::text")
	testenv.ExecPostgres(t, "INSERT INTO "+f.schema+".orders VALUES (900001, 1, 1.00, 'after the change')")

	started := time.Now()
	second := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	tables := runTables(second)
	users, orders := tables[f.schema+".users"], tables[f.schema+".orders"]
	if second["status"] != "partially_succeeded" || users["status"] != "failed" || orders["status"] != "succeeded" {
		t.Fatalf("run after an incompatible change: %v", second)
	}
	if msg, _ := users["error"].(string); !strings.Contains(msg, "active") || !strings.Contains(msg, "cannot widen") {
		t.Fatalf("the failed table's error does not name the column and the problem: %q", msg)
	}
	if attempts, _ := users["attempts"].(float64); attempts > 1 {
		t.Fatalf("an incompatible change was retried %v times", attempts)
	}
	if took := time.Since(started); took > 30*time.Second {
		t.Fatalf("the run took %s: the permanent failure waited out retries", took)
	}
	if row := f.lakeRow(t, "SELECT count(*) AS n FROM DATA.users"); normalizeNumber(row["n"]) != normalizeNumber(2000.0) {
		t.Fatalf("the lake lost the failed table's rows: %v", row)
	}
	if row := f.lakeRow(t, "SELECT count(*) AS n FROM DATA.orders WHERE id = 900001"); normalizeNumber(row["n"]) != normalizeNumber(1.0) {
		t.Fatalf("the other table was not copied: %v", row)
	}
}
