package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// TestSeedExamples sends the two examples of seed 001 as the Python
// snippets do (task_id as the string of a datetime) and reads them back.
func TestSeedExamples(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")

	// Example: Metrics.
	metricsTask := "2025-09-01 10:00:00.123456"
	obsPost(t, env, token, "/log/task", map[string]any{"task_id": metricsTask, "status": "start", "env": "dev",
		"app_name": "demo-pipeline", "task_name": "basic_example", "task_type": "python", "app_pit": "2025-09-01"}, http.StatusCreated)
	obsPost(t, env, token, "/log/metrics", map[string]any{"task_id": metricsTask, "metrics": []any{map[string]any{
		"asset_name": "basic_asset_example", "asset_type": "table", "metric_type": "cnt", "value": 12345}}}, http.StatusCreated)
	ended := endTask(t, env, token, metricsTask)
	if ended["status"] != "success" || ended["duration_ms"] == nil || ended["app_pit"] != "2025-09-01T00:00:00Z" {
		t.Fatalf("ended task = %v", ended)
	}

	// Example: Lineage & Dataset Schema.
	lineageTask := "2025-09-01 10:05:00.654321"
	obsPost(t, env, token, "/log/task", map[string]any{"task_id": lineageTask, "status": "start", "app_name": "spark-iceberg-producer",
		"task_name": "produce-tables", "task_type": "spark", "env": "production", "app_pit": "2025-09-01T10:00:00"}, http.StatusCreated)
	obsPost(t, env, token, "/log/tf", map[string]any{"task_id": lineageTask, "tf_id": 1, "status": "end",
		"query_str":      "CREATE TABLE shared_db.table_b AS SELECT id, name, upper(event_type) as event_type_upper FROM shared_db.table_a",
		"input_datasets": map[string]any{"shared_db.table_a": map[string]any{"columns": []string{"id", "name", "event_type"}}},
		"output":         map[string]any{"name": "shared_db.table_b"}}, http.StatusCreated)
	obsPost(t, env, token, "/log/dataset", map[string]any{"task_id": lineageTask, "tf_id": 1, "ds_name": "shared_db.table_b", "ds_type": "table",
		"metadata": []any{
			map[string]any{"info_type": "schema_field", "info_value": "id-INTEGER", "info_num": 0},
			map[string]any{"info_type": "schema_field", "info_value": "name-STRING", "info_num": 1},
			map[string]any{"info_type": "schema_field", "info_value": "event_type_upper-STRING", "info_num": 2},
		}}, http.StatusCreated)
	endTask(t, env, token, lineageTask)

	task := obsGet(t, env, token, taskPath(lineageTask))["task"].(map[string]any)
	tfs := obsList(task["transformations"])
	if len(tfs) != 1 || tfs[0].(map[string]any)["tf_id"] != "1" || tfs[0].(map[string]any)["output"] != "shared_db.table_b" {
		t.Fatalf("transformations = %v", tfs)
	}
	datasets := obsList(task["datasets"])
	if len(datasets) != 2 {
		t.Fatalf("datasets = %v", datasets)
	}
	input, output := datasets[0].(map[string]any), datasets[1].(map[string]any)
	if input["name"] != "shared_db.table_a" || input["input"] != true || input["schema_version"] != nil ||
		output["name"] != "shared_db.table_b" || output["output"] != true || output["schema_version"] != float64(1) {
		t.Fatalf("datasets = %v", datasets)
	}

	metrics := obsGet(t, env, token, "/api/metrics?asset_name=basic_asset_example")
	series := obsList(metrics["series"])
	if len(series) != 1 {
		t.Fatalf("series = %v", metrics)
	}
	points := obsList(series[0].(map[string]any)["points"])
	if len(points) != 1 || points[0].(map[string]any)["value"] != float64(12345) || points[0].(map[string]any)["task_id"] != metricsTask {
		t.Fatalf("points = %v", points)
	}

	graph := obsGet(t, env, token, "/api/lineage?dataset=shared_db.table_b&direction=upstream&depth=3")
	if !hasDataset(graph, "shared_db.table_a") || len(obsList(graph["edges"])) != 2 {
		t.Fatalf("upstream lineage of table_b = %v", graph)
	}

	ds := obsGet(t, env, token, "/api/datasets/"+url.PathEscape("shared_db.table_b"))["dataset"].(map[string]any)
	if ds["ds_type"] != "table" || len(obsList(ds["versions"])) != 1 {
		t.Fatalf("dataset = %v", ds)
	}

	pipelines := obsList(obsGet(t, env, token, "/api/pipelines")["pipelines"])
	if len(pipelines) != 2 {
		t.Fatalf("pipelines = %v", pipelines)
	}
	demo := pipelines[0].(map[string]any)
	if demo["app_name"] != "demo-pipeline" || demo["env"] != "dev" || demo["task_count"] != float64(1) ||
		demo["last_run"].(map[string]any)["status"] != "success" {
		t.Fatalf("pipeline = %v", demo)
	}
	tasks := obsList(obsGet(t, env, token, "/api/pipelines/demo-pipeline/tasks")["tasks"])
	if len(tasks) != 1 || tasks[0].(map[string]any)["task_name"] != "basic_example" {
		t.Fatalf("tasks of demo-pipeline = %v", tasks)
	}
}

func hasDataset(graph map[string]any, name string) bool {
	for _, n := range obsList(graph["nodes"]) {
		node := n.(map[string]any)
		if node["type"] == "dataset" && node["name"] == name {
			return true
		}
	}
	return false
}

// TestRepeatedStartAndEndAreIdempotent sends every report twice.
func TestRepeatedStartAndEndAreIdempotent(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	start := map[string]any{"task_id": 42, "status": "start", "app_name": "app", "task_name": "t", "task_type": "python"}
	obsPost(t, env, token, "/log/task", start, http.StatusCreated)
	obsPost(t, env, token, "/log/task", start, http.StatusOK)
	obsPost(t, env, token, "/log/task", map[string]any{"task_id": "42", "status": "end"}, http.StatusAccepted)
	obsPost(t, env, token, "/log/task", map[string]any{"task_id": 42, "status": "end"}, http.StatusAccepted)
	if task := waitForStatus(t, env, token, "42"); task["status"] != "success" {
		t.Fatalf("task = %v", task)
	}
	obsPost(t, env, token, "/log/task", map[string]any{"task_id": 42, "status": "end", "result": "failed"}, http.StatusAccepted)
	obsPost(t, env, token, "/log/task", start, http.StatusOK)
	if task := obsGet(t, env, token, taskPath("42"))["task"].(map[string]any); task["status"] != "success" {
		t.Fatalf("a repeated end changed the run: %v", task)
	}
	var runs int
	if err := env.Pool.QueryRow(context.Background(), "SELECT count(*) FROM obs_task_runs").Scan(&runs); err != nil || runs != 1 {
		t.Fatalf("%d task runs recorded (err %v), want 1", runs, err)
	}
}

// TestTaskRunTimesOut gives an app a 2-second deadline: a run that never ends
// becomes timed_out, and a late end is refused.
func TestTaskRunTimesOut(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	res := env.Do(t, http.MethodPut, "/api/pipelines/slow-app/settings", token, map[string]any{"task_timeout_seconds": 2})
	if res.Status != http.StatusOK || res.JSON(t)["task_timeout_seconds"] != float64(2) {
		t.Fatalf("settings: %d %s", res.Status, res.Body)
	}
	startTask(t, env, token, "never-ends", "slow-app", "stuck")
	task := waitForStatus(t, env, token, "never-ends")
	if task["status"] != "timed_out" || task["ended_at"] == nil {
		t.Fatalf("task = %v", task)
	}
	res = env.Do(t, http.MethodPost, "/log/task", token, map[string]any{"task_id": "never-ends", "status": "end"})
	if res.Status != http.StatusConflict {
		t.Fatalf("late end: %d %s", res.Status, res.Body)
	}
	assertErrorCode(t, res.Body, "conflict")
	pipelines := obsList(obsGet(t, env, token, "/api/pipelines")["pipelines"])
	if p := pipelines[0].(map[string]any); p["task_timeout_seconds"] != float64(2) {
		t.Fatalf("pipeline = %v", p)
	}
	timedOut := obsList(obsGet(t, env, token, "/api/tasks?status=timed_out")["tasks"])
	if len(timedOut) != 1 {
		t.Fatalf("timed out tasks = %v", timedOut)
	}
}

// TestMetricFarOffItsHistoryIsFlagged reports a row count for seven runs; the
// seventh is a hundred times the others and must be flagged.
func TestMetricFarOffItsHistoryIsFlagged(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	values := []float64{1000, 1010, 990, 1005, 995, 1002, 100000}
	for i, v := range values {
		id := fmt.Sprintf("daily-%d", i)
		startTask(t, env, token, id, "etl", "load")
		obsPost(t, env, token, "/log/metrics", map[string]any{"task_id": id, "metrics": []any{
			map[string]any{"asset_name": "sales", "asset_type": "table", "metric_type": "row_count", "value": v},
			map[string]any{"asset_name": "sales", "asset_type": "table", "metric_type": "null_ids", "value": 0},
		}}, http.StatusCreated)
		endTask(t, env, token, id)
	}
	// The run's end is recorded before its metrics are checked: wait for the check.
	var anomalies []any
	for deadline := time.Now().Add(20 * time.Second); len(anomalies) == 0 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		anomalies = obsList(obsGet(t, env, token, taskPath("daily-6"))["task"].(map[string]any)["anomalies"])
	}
	if len(anomalies) != 1 {
		t.Fatalf("anomalies of the last run = %v", anomalies)
	}
	a := anomalies[0].(map[string]any)
	if a["metric_type"] != "row_count" || a["value"] != float64(100000) || a["median"] != float64(1002.5) && a["median"] != float64(1001) {
		t.Fatalf("anomaly = %v", a)
	}
	for i := 0; i < 6; i++ {
		if n := len(obsList(obsGet(t, env, token, taskPath(fmt.Sprintf("daily-%d", i)))["task"].(map[string]any)["anomalies"])); n != 0 {
			t.Fatalf("run %d has %d anomalies", i, n)
		}
	}
	series := obsList(obsGet(t, env, token, "/api/metrics?asset_name=sales&metric_type=row_count")["series"])
	points := obsList(series[0].(map[string]any)["points"])
	if len(points) != 7 || points[6].(map[string]any)["anomaly"] != true || points[5].(map[string]any)["anomaly"] != false {
		t.Fatalf("points = %v", points)
	}
}
