package api_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// reportTf starts taskID (if needed) in app and reports one transformation.
func reportTf(t *testing.T, env *testenv.Env, token, app, taskID string, inputs map[string]any, output string) {
	t.Helper()
	env.Do(t, http.MethodPost, "/log/task", token, map[string]any{"task_id": taskID, "status": "start",
		"app_name": app, "task_name": "job", "task_type": "spark"})
	obsPost(t, env, token, "/log/tf", map[string]any{"task_id": taskID, "tf_id": 1,
		"input_datasets": inputs, "output": map[string]any{"name": output}}, http.StatusCreated)
}

func datasetNames(graph map[string]any) map[string]bool {
	names := map[string]bool{}
	for _, n := range obsList(graph["nodes"]) {
		if node := n.(map[string]any); node["type"] == "dataset" {
			names[node["name"].(string)] = true
		}
	}
	return names
}

func lineageOf(t *testing.T, env *testenv.Env, token string, query url.Values) map[string]bool {
	t.Helper()
	return datasetNames(obsGet(t, env, token, "/api/lineage?"+query.Encode()))
}

// TestLineageAcrossApps builds raw → staged → mart across three apps (and a
// side branch and a cycle) and walks it both ways, bounded by depth.
func TestLineageAcrossApps(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	reportTf(t, env, token, "ingest", "r1", map[string]any{"src.orders": nil}, "raw.orders")
	reportTf(t, env, token, "stage", "r2", map[string]any{"raw.orders": nil, "raw.customers": nil}, "staged.orders")
	reportTf(t, env, token, "marts", "r3", map[string]any{"staged.orders": nil}, "mart.revenue")
	reportTf(t, env, token, "audit", "r4", map[string]any{"staged.orders": nil}, "audit.orders")
	reportTf(t, env, token, "loop", "r5", map[string]any{"mart.revenue": nil}, "raw.customers") // a cycle back upstream

	up := lineageOf(t, env, token, url.Values{"dataset": {"mart.revenue"}, "direction": {"upstream"}, "depth": {"10"}})
	for _, want := range []string{"mart.revenue", "staged.orders", "raw.orders", "raw.customers", "src.orders"} {
		if !up[want] {
			t.Errorf("upstream of mart.revenue lacks %s: %v", want, up)
		}
	}
	if up["audit.orders"] {
		t.Errorf("upstream of mart.revenue holds a sibling: %v", up)
	}
	shallow := lineageOf(t, env, token, url.Values{"dataset": {"mart.revenue"}, "direction": {"upstream"}, "depth": {"1"}})
	if !shallow["staged.orders"] || shallow["raw.orders"] {
		t.Errorf("depth 1 upstream of mart.revenue = %v", shallow)
	}
	down := lineageOf(t, env, token, url.Values{"dataset": {"raw.orders"}, "direction": {"downstream"}, "depth": {"2"}})
	if !down["mart.revenue"] || !down["audit.orders"] || down["src.orders"] {
		t.Errorf("downstream of raw.orders = %v", down)
	}
	both := lineageOf(t, env, token, url.Values{"dataset": {"staged.orders"}, "depth": {"1"}})
	if !both["raw.orders"] || !both["mart.revenue"] || !both["audit.orders"] || both["src.orders"] {
		t.Errorf("both ways from staged.orders = %v", both)
	}
	graph := obsGet(t, env, token, "/api/lineage?dataset=staged.orders&depth=1&direction=upstream")
	var tf map[string]any
	for _, n := range obsList(graph["nodes"]) {
		if node := n.(map[string]any); node["type"] == "transformation" {
			tf = node
		}
	}
	if tf == nil || tf["app_name"] != "stage" || tf["last_task_id"] != "r2" || tf["depth"] != float64(1) {
		t.Fatalf("transformation node = %v", tf)
	}
}

// TestLineageAsOf hides lineage reported after the asked time.
func TestLineageAsOf(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	reportTf(t, env, token, "a", "old", map[string]any{"x": nil}, "y")
	if _, err := env.Pool.Exec(context.Background(), "UPDATE obs_lineage_edges SET first_seen_at = '2025-01-01T00:00:00Z'"); err != nil {
		t.Fatal(err)
	}
	reportTf(t, env, token, "b", "new", map[string]any{"y": nil}, "z")

	then := lineageOf(t, env, token, url.Values{"dataset": {"y"}, "at": {"2025-06-01"}})
	if !then["x"] || then["z"] {
		t.Errorf("lineage of y in June 2025 = %v", then)
	}
	now := lineageOf(t, env, token, url.Values{"dataset": {"y"}, "at": {time.Now().Add(time.Minute).Format(time.RFC3339)}})
	if !now["x"] || !now["z"] {
		t.Errorf("lineage of y now = %v", now)
	}
	before := lineageOf(t, env, token, url.Values{"dataset": {"y"}, "at": {"2024-12-31"}})
	if len(before) != 1 {
		t.Errorf("lineage of y before anything was reported = %v", before)
	}
}
