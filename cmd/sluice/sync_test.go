package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/service"
)

// TestSyncUnknownTeamSaysSo: `sluice sync list --team nope` printed pgx's
// "no rows in result set".
func TestSyncUnknownTeamSaysSo(t *testing.T) {
	ts := testenv.TemporalServer()
	env := []string{"DATABASE_URL=" + dbtest.NewURL(t), "TEMPORAL_ADDRESS=" + ts.GetFrontendHostPort(), "TEMPORAL_NAMESPACE=" + ts.GetDefaultNamespace()}
	res := runCLI(t, env, "sync", "list", "--team", "nope", "--integration", uuid.NewString())
	if res.code == 0 || !strings.Contains(res.stderr, `team "nope" does not exist`) || strings.Contains(res.stderr, "no rows") {
		t.Fatalf("exit %d, stderr %q: want the team named as missing", res.code, res.stderr)
	}
}

// TestSyncJSONIsTheAPIShape: --json printed the service's Go structs
// (CamelCase fields, the run's config as base64).
func TestSyncJSONIsTheAPIShape(t *testing.T) {
	run := service.SyncRun{SyncRun: db.SyncRun{ID: uuid.New(), Status: "succeeded", Trigger: "manual", CreatedAt: time.Now(),
		RowsWritten: 7, Config: []byte(`{"tables":["public.*"]}`)}}
	var out strings.Builder
	if err := printRuns(&out, []service.SyncRun{run}, true, true); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal([]byte(out.String()), &got); err != nil || len(got.Data) != 1 {
		t.Fatalf("not {\"data\": [run]}: %v\n%s", err, out.String())
	}
	r := got.Data[0]
	if r["id"] != run.ID.String() || r["rows_written"] != 7.0 || r["status"] != "succeeded" {
		t.Errorf("fields are not the API's: %s", out.String())
	}
	if cfg, ok := r["config"].(map[string]any); !ok || cfg["tables"] == nil {
		t.Errorf("config = %#v, want the JSON object, not base64", r["config"])
	}
	if strings.Contains(out.String(), "RowsWritten") || strings.Contains(out.String(), "TeamID") {
		t.Errorf("internal field names leak: %s", out.String())
	}
}
