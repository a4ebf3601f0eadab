package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/alerts"
	"github.com/sluice-dev/sluice/internal/testenv"
)

// TestSyncRunAlerts: a sync run that partially succeeds, because a table
// went missing at the source while another gained a column, sends
// sync_run.partially_succeeded (naming the run, with the Temporal run's
// link) and source.schema_changed, once each; the first, successful run
// sends nothing.
func TestSyncRunAlerts(t *testing.T) {
	env := alertEnv(t)
	token := env.Token(t, "acme")
	f := syncFixture{env: env, token: token, schema: testenv.PostgresSchema(t, syncSource)}
	f.id = createPostgres(t, env, token, "pw")
	rx := newAlertReceiver(t)
	channel, _ := createChannel(t, env, token, "hook", rx.URL)
	for _, event := range []string{"sync_run.failed", "sync_run.partially_succeeded", "source.schema_changed"} {
		createRule(t, env, token, map[string]any{"name": event, "event": event, "channel_id": channel, "integration_id": f.id})
	}
	if res := f.configure(t, map[string]any{"dest_schema": "D", "schedule": "hourly", "load_method": "overwrite",
		"tables": []any{f.schema + ".users", f.schema + ".events"}}); res.Status != http.StatusOK {
		t.Fatalf("configure: %d %s", res.Status, res.Body)
	}
	if run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil); run["status"] != "succeeded" {
		t.Fatalf("first run: %v", run)
	}
	time.Sleep(2 * time.Second)
	if got := rx.received(); len(got) != 0 {
		t.Fatalf("a successful first run sent %d notifications", len(got))
	}
	testenv.ExecPostgres(t, "ALTER TABLE "+f.schema+".events RENAME TO events_gone; ALTER TABLE "+f.schema+".users ADD COLUMN plan text")
	run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	if run["status"] != "partially_succeeded" {
		t.Fatalf("second run: %v", run)
	}
	messages := map[string]alerts.Message{}
	for _, g := range rx.waitReceived(t, 2, 30*time.Second) {
		var m alerts.Message
		if err := json.Unmarshal(g.Body, &m); err != nil {
			t.Fatal(err)
		}
		messages[m.Event] = m
	}
	partial, ok := messages[alerts.SyncRunPartiallySucceeded]
	if !ok || !strings.Contains(string(partial.Subject), run["id"].(string)) || !strings.Contains(partial.Links.API, run["id"].(string)) ||
		!strings.Contains(partial.Links.Console, "#/runs/") {
		t.Fatalf("partially succeeded message = %+v", partial)
	}
	changed, ok := messages[alerts.SourceSchemaChanged]
	if !ok || !strings.Contains(changed.Summary, ".users") || !strings.Contains(changed.Summary, "1 added") {
		t.Fatalf("schema change message = %+v", changed)
	}
}
