package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// TestObservabilityBadInputIsAClear4xx sends malformed and out-of-order
// reports; each must be a 4xx naming the problem, and none may write.
func TestObservabilityBadInputIsAClear4xx(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	startTask(t, env, token, "running-1", "app", "task")
	tooMany := make([]any, 1001)
	for i := range tooMany {
		tooMany[i] = map[string]any{"asset_name": "a", "metric_type": "m", "value": i}
	}
	start := func(field string, value any) map[string]any {
		m := map[string]any{"task_id": "t-new", "status": "start", "app_name": "app", "task_name": "task", "task_type": "python"}
		m[field] = value
		return m
	}
	cases := []struct {
		name, method, path string
		body               any
		status             int
		mention            string
	}{
		{"malformed app_pit", "POST", "/log/task", start("app_pit", "yesterday"), 400, "app_pit"},
		{"app_pit not a string", "POST", "/log/task", start("app_pit", 5), 400, "app_pit"},
		{"unknown status", "POST", "/log/task", start("status", "paused"), 400, "status"},
		{"missing task_id", "POST", "/log/task", start("task_id", ""), 400, "task_id"},
		{"task_id is an object", "POST", "/log/task", start("task_id", map[string]any{}), 400, "task_id"},
		{"task_id is a boolean", "POST", "/log/task", start("task_id", true), 400, "string or a number"},
		{"task_id too long", "POST", "/log/task", start("task_id", strings.Repeat("x", 201)), 400, "task_id"},
		{"task_id with a newline", "POST", "/log/task", start("task_id", "a\nb"), 400, "control"},
		{"missing app_name", "POST", "/log/task", start("app_name", ""), 400, "app_name"},
		{"unknown field", "POST", "/log/task", start("colour", "red"), 400, "colour"},
		{"bad result", "POST", "/log/task", map[string]any{"task_id": "running-1", "status": "end", "result": "meh"}, 400, "result"},
		{"task_id reused by another task", "POST", "/log/task", map[string]any{"task_id": "running-1", "status": "start",
			"app_name": "other-app", "task_name": "task", "task_type": "python"}, 409, "already used"},
		{"end of an unknown task", "POST", "/log/task", map[string]any{"task_id": "nope", "status": "end"}, 404, "has not started"},
		{"transformation before start", "POST", "/log/tf", map[string]any{"task_id": "nope", "tf_id": 1,
			"input_datasets": map[string]any{"a": nil}, "output": map[string]any{"name": "b"}}, 404, "has not started"},
		{"transformation without output", "POST", "/log/tf", map[string]any{"task_id": "running-1", "tf_id": 1}, 400, "output"},
		{"transformation without tf_id", "POST", "/log/tf", map[string]any{"task_id": "running-1", "output": map[string]any{"name": "b"}}, 400, "tf_id"},
		{"columns not an array", "POST", "/log/tf", map[string]any{"task_id": "running-1", "tf_id": 1,
			"input_datasets": map[string]any{"a": map[string]any{"columns": "id"}}, "output": map[string]any{"name": "b"}}, 400, "columns"},
		{"dataset before start", "POST", "/log/dataset", map[string]any{"task_id": "nope", "ds_name": "a"}, 404, "has not started"},
		{"schema field without type", "POST", "/log/dataset", map[string]any{"task_id": "running-1", "ds_name": "a",
			"metadata": []any{map[string]any{"info_type": "schema_field", "info_value": "id"}}}, 400, "metadata[0].info_value"},
		{"dataset without name", "POST", "/log/dataset", map[string]any{"task_id": "running-1"}, 400, "ds_name"},
		{"metrics before start", "POST", "/log/metrics", map[string]any{"task_id": "nope",
			"metrics": []any{map[string]any{"asset_name": "a", "metric_type": "m", "value": 1}}}, 404, "has not started"},
		{"metric value a string", "POST", "/log/metrics", map[string]any{"task_id": "running-1",
			"metrics": []any{map[string]any{"asset_name": "a", "metric_type": "m", "value": "1"}}}, 400, "value"},
		{"metric value missing", "POST", "/log/metrics", map[string]any{"task_id": "running-1",
			"metrics": []any{map[string]any{"asset_name": "a", "metric_type": "m"}}}, 400, "metrics[0].value"},
		{"metric without asset", "POST", "/log/metrics", map[string]any{"task_id": "running-1",
			"metrics": []any{map[string]any{"metric_type": "m", "value": 1}}}, 400, "metrics[0].asset_name"},
		{"no metrics", "POST", "/log/metrics", map[string]any{"task_id": "running-1", "metrics": []any{}}, 400, "metrics"},
		{"1001 metrics", "POST", "/log/metrics", map[string]any{"task_id": "running-1", "metrics": tooMany}, 413, "at most 1000"},
		{"timeout too long", "PUT", "/api/pipelines/app/settings", map[string]any{"task_timeout_seconds": 1 << 40}, 400, "task_timeout_seconds"},
		{"timeout zero", "PUT", "/api/pipelines/app/settings", map[string]any{"task_timeout_seconds": 0}, 400, "task_timeout_seconds"},
		{"bad since", "GET", "/api/tasks?since=soon", nil, 400, "since"},
		{"bad status filter", "GET", "/api/tasks?status=paused", nil, 400, "status"},
		{"bad cursor", "GET", "/api/tasks?cursor=zzz", nil, 400, "cursor"},
		{"limit too large", "GET", "/api/tasks?limit=100000", nil, 400, "limit"},
		{"limit not a number", "GET", "/api/datasets?limit=ten", nil, 400, "limit"},
		{"unknown task", "GET", "/api/tasks/nope", nil, 404, "nope"},
		{"unknown dataset", "GET", "/api/datasets/nope", nil, 404, "nope"},
		{"unknown app", "GET", "/api/pipelines/nope/tasks", nil, 404, "not found"},
		{"metrics without asset", "GET", "/api/metrics", nil, 400, "asset_name"},
		{"lineage without dataset", "GET", "/api/lineage", nil, 400, "dataset"},
		{"lineage of an unknown dataset", "GET", "/api/lineage?dataset=nope", nil, 404, "nope"},
		{"lineage depth too deep", "GET", "/api/lineage?dataset=a&depth=99", nil, 400, "depth"},
		{"lineage direction", "GET", "/api/lineage?dataset=a&direction=sideways", nil, 400, "direction"},
		{"lineage at", "GET", "/api/lineage?dataset=a&at=later", nil, 400, "at"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, tc.method, tc.path, token, tc.body)
			if res.Status != tc.status {
				t.Fatalf("got %d, want %d: %.300s", res.Status, tc.status, res.Body)
			}
			detail, ok := res.JSON(t)["error"].(map[string]any)
			if !ok {
				t.Fatalf("no error object: %.300s", res.Body)
			}
			if msg, _ := detail["message"].(string); !strings.Contains(msg, tc.mention) {
				t.Fatalf("message %q does not mention %q", msg, tc.mention)
			}
		})
	}
	counts := map[string]int{"obs_task_runs": 1, "obs_transformations": 0, "obs_datasets": 0, "obs_metric_values": 0, "obs_schema_versions": 0}
	for table, want := range counts {
		var n int
		if err := env.Pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil || n != want {
			t.Errorf("%s has %d rows (err %v), want %d", table, n, err, want)
		}
	}
}

// TestTeamsCannotSeeEachOthersPipelines reports as one team and reads as another.
func TestTeamsCannotSeeEachOthersPipelines(t *testing.T) {
	env := testenv.New(t)
	acme, globex := env.Token(t, "acme"), env.Token(t, "globex")
	startTask(t, env, acme, "shared-id", "app", "task")
	obsPost(t, env, acme, "/log/tf", map[string]any{"task_id": "shared-id", "tf_id": 1,
		"input_datasets": map[string]any{"a": nil}, "output": map[string]any{"name": "b"}}, http.StatusCreated)
	obsPost(t, env, acme, "/log/metrics", map[string]any{"task_id": "shared-id",
		"metrics": []any{map[string]any{"asset_name": "b", "metric_type": "rows", "value": 1}}}, http.StatusCreated)

	for _, path := range []string{"/api/tasks/shared-id", "/api/datasets/b", "/api/lineage?dataset=b", "/api/pipelines/app/tasks"} {
		if res := env.Do(t, http.MethodGet, path, globex, nil); res.Status != http.StatusNotFound {
			t.Errorf("globex GET %s = %d: %s", path, res.Status, res.Body)
		}
	}
	for _, path := range []string{"/api/pipelines", "/api/tasks", "/api/datasets"} {
		body := obsGet(t, env, globex, path)
		for _, key := range []string{"pipelines", "tasks", "datasets"} {
			if l := obsList(body[key]); len(l) != 0 {
				t.Errorf("globex GET %s lists %v", path, l)
			}
		}
	}
	if s := obsList(obsGet(t, env, globex, "/api/metrics?asset_name=b")["series"]); len(s) != 0 {
		t.Errorf("globex sees acme's metrics: %v", s)
	}
	// The same task_id is free for another team, and reports go to its own run.
	startTask(t, env, globex, "shared-id", "app", "task")
	if res := env.Do(t, http.MethodPost, "/log/metrics", globex, map[string]any{"task_id": "shared-id",
		"metrics": []any{map[string]any{"asset_name": "b", "metric_type": "rows", "value": 2}}}); res.Status != http.StatusCreated {
		t.Fatalf("globex metrics: %d %s", res.Status, res.Body)
	}
	points := obsList(obsList(obsGet(t, env, acme, "/api/metrics?asset_name=b")["series"])[0].(map[string]any)["points"])
	if len(points) != 1 {
		t.Fatalf("acme's series has %d points, want 1", len(points))
	}
}
