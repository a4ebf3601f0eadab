package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// schemaReport is a /log/dataset body whose metadata lists the columns
// ("name-TYPE") in order, plus a property that is not a schema field.
func schemaReport(taskID, dataset string, columns ...string) map[string]any {
	metadata := []any{map[string]any{"info_type": "owner", "info_value": "data-eng"}}
	for i, c := range columns {
		metadata = append(metadata, map[string]any{"info_type": "schema_field", "info_value": c, "info_num": i})
	}
	return map[string]any{"task_id": taskID, "ds_name": dataset, "ds_type": "table", "metadata": metadata}
}

// canonical re-encodes a decoded JSON value, so a part of a response can be
// compared with an expected literal.
func canonical(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back any
	_ = json.Unmarshal(raw, &back)
	raw, _ = json.Marshal(back)
	return string(raw)
}

func jsonText(t *testing.T, literal string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(literal), &v); err != nil {
		t.Fatalf("bad literal %s: %v", literal, err)
	}
	return canonical(t, v)
}

// TestDatasetSchemaVersionsAndChanges sends /log/dataset a schema, the
// same one again, a second one with a column added, one removed and one
// retyped, that one again, and finally the first one back, and reads
// /api/datasets/{name} after each step.
func TestDatasetSchemaVersionsAndChanges(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	const name = "warehouse.orders"
	path := "/api/datasets/" + url.PathEscape(name)
	dataset := func() map[string]any { return obsGet(t, env, token, path)["dataset"].(map[string]any) }
	first := []string{"id-INTEGER", "customer-STRING", "amount-FLOAT"}
	second := []string{"id-BIGINT", "customer-STRING", "created_at-TIMESTAMP"}

	startTask(t, env, token, "schema-run-1", "etl", "orders")
	obsPost(t, env, token, "/log/dataset", schemaReport("schema-run-1", name, first...), http.StatusCreated)
	startTask(t, env, token, "schema-run-2", "etl", "orders")
	obsPost(t, env, token, "/log/dataset", schemaReport("schema-run-2", name, "id-integer", "customer-string", "amount-float"), http.StatusCreated)
	ds := dataset()
	if len(obsList(ds["versions"])) != 1 || len(obsList(ds["changes"])) != 0 || ds["schema_version"] != 1.0 {
		t.Fatalf("after the same schema twice (types in another case): %v", ds)
	}

	startTask(t, env, token, "schema-run-3", "etl", "orders")
	obsPost(t, env, token, "/log/dataset", schemaReport("schema-run-3", name, second...), http.StatusCreated)
	obsPost(t, env, token, "/log/dataset", schemaReport("schema-run-3", name, second...), http.StatusCreated)
	ds = dataset()
	versions, changes := obsList(ds["versions"]), obsList(ds["changes"])
	if len(versions) != 2 || len(changes) != 1 || ds["schema_version"] != 2.0 || ds["field_count"] != 3.0 {
		t.Fatalf("after a second schema: %v", ds)
	}
	newest, oldest := versions[0].(map[string]any), versions[1].(map[string]any)
	if newest["version"] != 2.0 || newest["task_id"] != "schema-run-3" || oldest["version"] != 1.0 || oldest["task_id"] != "schema-run-1" {
		t.Fatalf("versions = %v", versions)
	}
	if got, want := canonical(t, oldest["fields"]), jsonText(t, `[{"name": "id", "type": "INTEGER", "position": 0},
		{"name": "customer", "type": "STRING", "position": 1}, {"name": "amount", "type": "FLOAT", "position": 2}]`); got != want {
		t.Errorf("version 1 fields = %s, want %s", got, want)
	}
	change := changes[0].(map[string]any)
	if change["from_version"] != 1.0 || change["to_version"] != 2.0 || change["task_id"] != "schema-run-3" {
		t.Errorf("change = %v", change)
	}
	for key, want := range map[string]string{
		"added":   `[{"name": "created_at", "type": "TIMESTAMP", "position": 2}]`,
		"removed": `[{"name": "amount", "type": "FLOAT", "position": 2}]`,
		"retyped": `[{"name": "id", "from": "INTEGER", "to": "BIGINT"}]`,
	} {
		if got := canonical(t, change[key]); got != jsonText(t, want) {
			t.Errorf("change %s = %s, want %s", key, got, want)
		}
	}
	run3 := obsList(obsGet(t, env, token, taskPath("schema-run-3"))["task"].(map[string]any)["datasets"])
	if len(run3) != 1 || run3[0].(map[string]any)["schema_version"] != 2.0 {
		t.Errorf("datasets of schema-run-3 = %v", run3)
	}

	startTask(t, env, token, "schema-run-4", "etl", "orders")
	obsPost(t, env, token, "/log/dataset", schemaReport("schema-run-4", name, second...), http.StatusCreated)
	if ds = dataset(); len(obsList(ds["versions"])) != 2 || len(obsList(ds["changes"])) != 1 {
		t.Fatalf("the second schema again, from another run, made a version: %v", ds)
	}
	obsPost(t, env, token, "/log/dataset", schemaReport("schema-run-4", name, first...), http.StatusCreated)
	ds = dataset()
	changes = obsList(ds["changes"])
	if len(obsList(ds["versions"])) != 3 || len(changes) != 2 || ds["schema_version"] != 3.0 {
		t.Fatalf("after the first schema back: %v", ds)
	}
	back := changes[0].(map[string]any)
	if back["from_version"] != 2.0 || back["to_version"] != 3.0 ||
		canonical(t, back["retyped"]) != jsonText(t, `[{"name": "id", "from": "BIGINT", "to": "INTEGER"}]`) ||
		canonical(t, back["added"]) != jsonText(t, `[{"name": "amount", "type": "FLOAT", "position": 2}]`) {
		t.Errorf("the change back = %v", back)
	}
	if ds["properties"].(map[string]any)["owner"] != "data-eng" {
		t.Errorf("properties = %v", ds["properties"])
	}
}
