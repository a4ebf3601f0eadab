package api_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv"
)

func fixture(t *testing.T, name string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("testdata/openlineage/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestOpenLineageGettingStartedPair posts the START/COMPLETE pair of the
// OpenLineage getting-started guide unchanged: the run starts and ends with
// the events' times, and input and output meet in one graph although they
// arrive in different events.
func TestOpenLineageGettingStartedPair(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	obsPost(t, env, token, "/api/v1/lineage", fixture(t, "getting-started-start.json"), http.StatusCreated)
	obsPost(t, env, token, "/api/v1/lineage", fixture(t, "getting-started-complete.json"), http.StatusCreated)

	run := waitForStatus(t, env, token, "0176a8c2-fe01-7439-87e6-56a1a1b4029f")
	if run["status"] != "success" || run["app_name"] != "my-namespace" || run["task_name"] != "my-job" ||
		run["duration_ms"] != float64(3600000) || run["task_type"] != "openlineage" {
		t.Fatalf("run = %v", run)
	}
	graph := obsGet(t, env, token, "/api/lineage?dataset=my-output&direction=upstream")
	if !hasDataset(graph, "my-input") {
		t.Fatalf("my-input is not upstream of my-output: %v", graph)
	}
	ds := obsGet(t, env, token, "/api/datasets/my-output")["dataset"].(map[string]any)
	if ds["namespace"] != "my-namespace" || ds["schema_version"] != float64(1) || ds["field_count"] != float64(2) {
		t.Fatalf("my-output = %v", ds)
	}
	// Replaying both events changes nothing.
	obsPost(t, env, token, "/api/v1/lineage", fixture(t, "getting-started-start.json"), http.StatusCreated)
	obsPost(t, env, token, "/api/v1/lineage", fixture(t, "getting-started-complete.json"), http.StatusCreated)
	if again := obsGet(t, env, token, taskPath("0176a8c2-fe01-7439-87e6-56a1a1b4029f"))["task"].(map[string]any); again["status"] != "success" {
		t.Fatalf("replayed run = %v", again)
	}
}

// TestOpenLineageJoinsTheLogGraph reports the seed's lineage example through
// /log/*, then a Spark-shaped COMPLETE event reading its output: one graph,
// with column lineage, schema and metrics from the facets.
func TestOpenLineageJoinsTheLogGraph(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	startTask(t, env, token, "seed-run", "spark-iceberg-producer", "produce-tables")
	obsPost(t, env, token, "/log/tf", map[string]any{"task_id": "seed-run", "tf_id": 1,
		"input_datasets": map[string]any{"shared_db.table_a": map[string]any{"columns": []string{"id", "name", "event_type"}}},
		"output":         map[string]any{"name": "shared_db.table_b"}}, http.StatusCreated)

	res := obsPost(t, env, token, "/api/v1/lineage", fixture(t, "spark-complete.json"), http.StatusCreated)
	if res["transformations"] != float64(1) || res["metrics"] != float64(9) {
		t.Fatalf("ingest = %v", res)
	}
	run := waitForStatus(t, env, token, "01924a3c-6d8e-7f40-9a1b-2c3d4e5f6a7b")
	if run["task_type"] != "spark" || run["status"] != "success" {
		t.Fatalf("run = %v", run)
	}

	graph := obsGet(t, env, token, "/api/lineage?dataset=warehouse.report&direction=upstream&depth=5")
	if !hasDataset(graph, "shared_db.table_b") || !hasDataset(graph, "shared_db.table_a") {
		t.Fatalf("upstream of warehouse.report does not reach table_a: %v", graph)
	}
	// Column level: report.n is computed from table_b.id, which /log/tf says
	// may come from any column table_a's transformation read.
	byColumn := obsGet(t, env, token, "/api/lineage?dataset=warehouse.report&direction=upstream&depth=5&column=n")
	if !hasDataset(byColumn, "shared_db.table_a") || !edgeCarries(byColumn, "input", "id") {
		t.Fatalf("column lineage of report.n = %v", byColumn)
	}
	down := obsGet(t, env, token, "/api/lineage?dataset=shared_db.table_b&direction=downstream&column=event_type_upper")
	if !hasDataset(down, "warehouse.report") || !edgeCarries(down, "output", "event_type_upper") || edgeCarries(down, "output", "n") {
		t.Fatalf("downstream of table_b.event_type_upper = %v", down)
	}
	if none := obsGet(t, env, token, "/api/lineage?dataset=shared_db.table_b&direction=downstream&column=name"); hasDataset(none, "warehouse.report") {
		t.Fatalf("table_b.name reaches the report, which does not read it: %v", none)
	}

	series := obsList(obsGet(t, env, token, "/api/metrics?asset_name=shared_db.table_b")["series"])
	types := map[string]bool{}
	for _, s := range series {
		types[s.(map[string]any)["metric_type"].(string)] = true
	}
	for _, want := range []string{"row_count", "bytes", "id.null_count", "id.distinct_count", "id.min", "id.max", "name.null_count"} {
		if !types[want] {
			t.Errorf("no %s series for table_b: %v", want, types)
		}
	}
	report := obsGet(t, env, token, "/api/datasets/warehouse.report")["dataset"].(map[string]any)
	if report["field_count"] != float64(3) {
		t.Fatalf("warehouse.report = %v", report)
	}
}

func edgeCarries(graph map[string]any, typ, column string) bool {
	for _, e := range obsList(graph["edges"]) {
		edge := e.(map[string]any)
		if edge["type"] != typ {
			continue
		}
		for _, c := range obsList(edge["columns"]) {
			if c == column {
				return true
			}
		}
	}
	return false
}

// TestOpenLineageNamesTheInvalidField breaks one required field or format at
// a time; each is a 400 naming it, and nothing is recorded.
func TestOpenLineageNamesTheInvalidField(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	cases := []struct {
		field  string
		mutate func(ev map[string]any)
	}{
		{"eventTime", func(ev map[string]any) { delete(ev, "eventTime") }},
		{"eventTime", func(ev map[string]any) { ev["eventTime"] = "yesterday" }},
		{"producer", func(ev map[string]any) { ev["producer"] = "not a uri" }},
		{"schemaURL", func(ev map[string]any) { delete(ev, "schemaURL") }},
		{"eventType", func(ev map[string]any) { ev["eventType"] = "DONE" }},
		{"run", func(ev map[string]any) { delete(ev, "run") }},
		{"run.runId", func(ev map[string]any) { ev["run"] = map[string]any{"runId": "42"} }},
		{"run.runId", func(ev map[string]any) { ev["run"] = map[string]any{"runId": 42} }},
		{"job.namespace", func(ev map[string]any) { ev["job"] = map[string]any{"name": "x"} }},
		{"job.name", func(ev map[string]any) { ev["job"] = map[string]any{"namespace": "x", "name": ""} }},
		{"inputs", func(ev map[string]any) { ev["inputs"] = map[string]any{} }},
		{"inputs[0].namespace", func(ev map[string]any) { ev["inputs"] = []any{map[string]any{"name": "x"}} }},
		{"outputs[0].facets.schema._producer", func(ev map[string]any) {
			out := ev["outputs"].([]any)[0].(map[string]any)
			delete(out["facets"].(map[string]any)["schema"].(map[string]any), "_producer")
		}},
		{"outputs[0].facets.schema.fields[1].name", func(ev map[string]any) {
			out := ev["outputs"].([]any)[0].(map[string]any)
			out["facets"].(map[string]any)["schema"].(map[string]any)["fields"] = []any{map[string]any{"name": "a"}, map[string]any{"type": "INT"}}
		}},
		{"outputs[0].facets.columnLineage.fields.a.inputFields[0].field", func(ev map[string]any) {
			out := ev["outputs"].([]any)[0].(map[string]any)
			out["facets"].(map[string]any)["columnLineage"] = map[string]any{"_producer": "https://x.io", "_schemaURL": "https://x.io/s",
				"fields": map[string]any{"a": map[string]any{"inputFields": []any{map[string]any{"namespace": "n", "name": "t"}}}}}
		}},
		{"inputs[0].inputFacets.dataQualityMetrics.rowCount", func(ev map[string]any) {
			ev["inputs"] = []any{map[string]any{"namespace": "n", "name": "t", "inputFacets": map[string]any{"dataQualityMetrics": map[string]any{
				"_producer": "https://x.io", "_schemaURL": "https://x.io/s", "rowCount": 1.5, "columnMetrics": map[string]any{}}}}}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			ev := fixture(t, "getting-started-complete.json")
			tc.mutate(ev)
			res := env.Do(t, http.MethodPost, "/api/v1/lineage", token, ev)
			if res.Status != http.StatusBadRequest {
				t.Fatalf("got %d: %s", res.Status, res.Body)
			}
			detail := res.JSON(t)["error"].(map[string]any)
			if detail["field"] != tc.field {
				t.Fatalf("field = %v, want %s (%v)", detail["field"], tc.field, detail["message"])
			}
		})
	}
	for _, body := range []string{`{"eventType": "START",`, `[]`, ``} {
		if res := env.Do(t, http.MethodPost, "/api/v1/lineage", token, body); res.Status != http.StatusBadRequest {
			t.Errorf("body %q: %d %s", body, res.Status, res.Body)
		}
	}
	huge := `{"eventTime":"2020-12-28T19:52:00Z","x":"` + strings.Repeat("x", 5<<20) + `"}`
	if res := env.Do(t, http.MethodPost, "/api/v1/lineage", token, huge); res.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("5 MiB event: %d", res.Status)
	}
	var runs int
	if err := env.Pool.QueryRow(t.Context(), "SELECT count(*) FROM obs_task_runs").Scan(&runs); err != nil || runs != 0 {
		t.Fatalf("%d runs recorded by invalid events (err %v)", runs, err)
	}
}

// TestOpenLineageAcceptsGzip posts an event compressed as the OpenLineage
// Python client does with compression enabled.
func TestOpenLineageAcceptsGzip(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	raw, _ := json.Marshal(fixture(t, "getting-started-start.json"))
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/lineage", &buf)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	rec := httptest.NewRecorder()
	env.Router.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("gzip event: %d %s", rec.Code, rec.Body)
	}
}
