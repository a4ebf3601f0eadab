package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// slowSource streams its rows slowly (a 40 ms sleep every 1000 rows, about
// 8 s in all) so a run is observably in progress; estimated is an analyzed
// table, whose statistics give the copy its row estimate.
const slowSource = `
CREATE VIEW slow AS
  SELECT g AS id, md5(g::text) AS label FROM generate_series(1, 200000) g
  WHERE CASE WHEN g % 1000 = 0 THEN pg_sleep(0.04) IS NOT NULL ELSE true END;
CREATE TABLE estimated (id bigint PRIMARY KEY, label text);
INSERT INTO estimated SELECT g, 'row ' || g FROM generate_series(1, 30000) g;
ANALYZE estimated;`

// TestRunShowsRowsReadWhileItRuns polls a running run through the API: the
// slow table's rows_read must grow before the table ends (the console's
// live progress is built on it), the run's total must follow its tables,
// and a full read of an analyzed table carries the source's estimate.
func TestRunShowsRowsReadWhileItRuns(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	schema := testenv.PostgresSchema(t, slowSource)
	f := syncFixture{env: env, token: token, id: createPostgres(t, env, token, "pw"), schema: schema}
	if res := f.configure(t, map[string]any{"dest_schema": "LIVE", "schedule": "daily", "load_method": "overwrite",
		"tables": []any{schema + ".slow", schema + ".estimated"}}); res.Status != http.StatusOK {
		t.Fatalf("configure: %d %s", res.Status, res.Body)
	}
	res := env.Do(t, http.MethodPost, "/v1/api/integrations/"+f.id+"/sync/run", token, nil)
	if res.Status != http.StatusAccepted {
		t.Fatalf("run: %d %s", res.Status, res.Body)
	}
	runID := res.JSON(t)["data"].(map[string]any)["id"].(string)
	var seen []float64 // the slow table's rows_read while it was running
	var run map[string]any
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		run = env.Do(t, http.MethodGet, "/v1/api/syncs/"+runID, token, nil).JSON(t)["data"].(map[string]any)
		if s := run["status"]; s != "queued" && s != "running" {
			break
		}
		var sum float64
		for _, tb := range run["tables"].([]any) {
			table := tb.(map[string]any)
			sum += table["rows_read"].(float64)
			if table["name"] == schema+".slow" && table["status"] == "running" && table["rows_read"].(float64) > 0 {
				seen = append(seen, table["rows_read"].(float64))
			}
		}
		if run["rows_read"].(float64) != sum {
			t.Fatalf("a running run's rows_read %v is not its tables' sum %v", run["rows_read"], sum)
		}
	}
	if run["status"] != "succeeded" {
		t.Fatalf("run ended %v: %v", run["status"], run)
	}
	if len(seen) < 2 || seen[len(seen)-1] <= seen[0] || seen[len(seen)-1] >= 200000 {
		t.Fatalf("rows_read of the running table over the polls: %v; want it to grow below 200000 before the table ends", seen)
	}
	for _, tb := range run["tables"].([]any) {
		table := tb.(map[string]any)
		switch table["name"] {
		case schema + ".slow":
			if table["rows_read"].(float64) != 200000 || table["rows_estimate"] != nil {
				t.Errorf("slow (a view, no statistics): rows_read %v, rows_estimate %v; want 200000 and null", table["rows_read"], table["rows_estimate"])
			}
		case schema + ".estimated":
			if table["rows_estimate"] != float64(30000) {
				t.Errorf("estimated (analyzed, 30000 rows): rows_estimate %v", table["rows_estimate"])
			}
		}
	}
	t.Logf("rows_read seen while running: %v", seen)
}
