package api_test

import (
	"net/http"
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// TestReadmeLineageExample sends the README's observability example: it
// asked for the lineage of a dataset that had only received metrics, which
// answers 404; with its transformation the dataset has an upstream.
func TestReadmeLineageExample(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	env.Do(t, http.MethodPost, "/log/task", token, map[string]any{"task_id": "run-42", "status": "start", "app_name": "demo", "task_name": "load", "task_type": "python"})
	obsPost(t, env, token, "/log/tf", map[string]any{"task_id": "run-42", "tf_id": 1,
		"input_datasets": map[string]any{"db.raw_orders": map[string]any{"columns": []string{"id", "amount"}}}, "output": map[string]any{"name": "db.orders"}}, http.StatusCreated)
	env.Do(t, http.MethodPost, "/log/metrics", token, map[string]any{"task_id": "run-42", "metrics": []any{
		map[string]any{"asset_name": "db.orders", "asset_type": "table", "metric_type": "cnt", "value": 12345}}})
	env.Do(t, http.MethodPost, "/log/task", token, map[string]any{"task_id": "run-42", "status": "end"})
	names := datasetNames(obsGet(t, env, token, "/api/lineage?dataset=db.orders&direction=upstream&depth=5"))
	if !names["db.raw_orders"] || !names["db.orders"] {
		t.Fatalf("lineage of db.orders = %v, want db.raw_orders upstream", names)
	}
}
