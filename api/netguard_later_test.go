package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/netguard"
)

// refusal is what every refused use must name: the policy and how to
// change it (netguard's message for a loopback address).
const refusal = "SLUICE_ALLOW_PRIVATE_NETWORKS"

// TestNetworkPolicyRefusesEveryLaterUse: an integration created while
// private networks were allowed is refused on every later use once they are
// not — query, scan, schema discovery (past the cache) and a sync run —
// each with an error naming the refusal, and never a 500.
func TestNetworkPolicyRefusesEveryLaterUse(t *testing.T) {
	f := newSyncFixture(t)
	if res := f.configure(t, map[string]any{"dest_schema": "GUARDED", "schedule": "daily", "tables": []any{f.schema + ".users"}}); res.Status != http.StatusOK {
		t.Fatalf("configure a sync: %d %s", res.Status, res.Body)
	}
	netguard.SetAllowPrivate(false)
	t.Cleanup(func() { netguard.SetAllowPrivate(true) }) // as testenv sets it

	requests := []struct {
		name, method, path string
		body               any
	}{
		{"query", http.MethodPost, "/v1/query", map[string]any{"sql": "SELECT 1", "integration_id": f.id}},
		{"scan", http.MethodPost, "/v2/connection/" + f.id + "/scan", map[string]any{"query": "SELECT 1"}},
		{"schema", http.MethodGet, "/v2/connection/" + f.id + "/schema?refresh=true", nil},
		{"table schema", http.MethodGet, "/v2/connection/" + f.id + "/schema/" + f.schema + ".users?refresh=true", nil},
		{"schema (v1)", http.MethodGet, "/v1/api/integrations/" + f.id + "/schema?refresh=true", nil},
	}
	for _, r := range requests {
		t.Run(r.name, func(t *testing.T) {
			res := f.env.Do(t, r.method, r.path, f.token, r.body)
			if res.Status < 400 || res.Status == http.StatusInternalServerError || !strings.Contains(string(res.Body), refusal) {
				t.Fatalf("%s %s: %d %s; want a refusal naming %s, not a 500", r.method, r.path, res.Status, res.Body, refusal)
			}
			t.Logf("%d %s", res.Status, res.Body)
		})
	}
	t.Run("sync run", func(t *testing.T) {
		run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
		text, _ := json.Marshal(run)
		if run["status"] != "failed" || !strings.Contains(string(text), refusal) {
			t.Fatalf("sync run: %v; want it failed, naming the refusal", run)
		}
	})
}
