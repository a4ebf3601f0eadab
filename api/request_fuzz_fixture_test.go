package api_test

import (
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/service"
)

// bodyRoute is a route that reads a body, with its path parameters filled in.
type bodyRoute struct {
	method, pattern, path string
}

// bodyFixture is the one stack FuzzRequestBodies sends every input to: a
// Postgres integration over a scratch schema with the deals table and a
// model of it, and a started task run, so that bodies that decode reach the
// service and the sources instead of stopping at "not found".
type bodyFixture struct {
	env    *testenv.Env
	token  string
	routes []bodyRoute
	// seeds are bodies per route ("POST /v1/query"), good ones and bad ones.
	seeds map[string][]string
}

// genericBodySeeds are the degenerate bodies: empty, an empty object, null,
// an array, two values, a NUL, invalid UTF-8.
var genericBodySeeds = []string{``, `{}`, `null`, `[]`, `{"a": 1} {}`, `{"name": "\u0000"}`, `{"name": "` + "\xff" + `"}`}

func newBodyFixture(f *testing.F) *bodyFixture {
	// A short validation deadline keeps an input that points an integration
	// at a host that never answers from stalling the fuzzer.
	env := testenv.NewWith(f, func(o *service.Options) { o.ValidationTimeout = 3 * time.Second })
	if flag.Lookup("test.fuzz").Value.String() != "" {
		// A fuzz worker is stopped before TestMain would drop the template
		// database, and no test runs after the fuzz target in its process.
		f.Cleanup(dbtest.DropTemplate)
	}
	token := env.Token(f, "acme")
	schema := testenv.PostgresSchema(f, dealsSetup)
	pg := testenv.PostgresCredentials("pw")
	created := obsPost(f, env, token, "/v1/api/integrations", map[string]any{"type": "postgres", "name": "fuzz", "credentials": pg}, http.StatusCreated)
	id, _ := created["integration"].(map[string]any)["id"].(string)
	model := strings.ReplaceAll(dealsModel, "{schema}", schema)
	if res := env.Do(f, http.MethodPut, "/v1/api/integrations/"+id+"/models", token, model); res.Status != http.StatusOK {
		f.Fatalf("put model: %d %s", res.Status, res.Body)
	}
	startTask(f, env, token, "fuzz-run", "fuzz-app", "task")

	fx := &bodyFixture{env: env, token: token, seeds: bodySeeds(f, id, schema, pg, model)}
	params := strings.NewReplacer(":id", id, ":app_name", "fuzz-app")
	for _, r := range env.Router.(*gin.Engine).Routes() {
		if r.Method == http.MethodPost || r.Method == http.MethodPut {
			fx.routes = append(fx.routes, bodyRoute{method: r.Method, pattern: r.Method + " " + r.Path, path: params.Replace(r.Path)})
		}
	}
	slices.SortFunc(fx.routes, func(a, b bodyRoute) int { return strings.Compare(a.pattern, b.pattern) })
	for pattern := range fx.seeds {
		if !slices.ContainsFunc(fx.routes, func(r bodyRoute) bool { return r.pattern == pattern }) {
			f.Fatalf("seeds for %s, which the router does not serve", pattern)
		}
	}
	return fx
}

// bodySeeds are, per route, bodies from the API tests: ones that succeed
// on the fixture and ones that each break a different rule.
func bodySeeds(f *testing.F, id, schema string, pg map[string]any, model string) map[string][]string {
	js := func(v any) string {
		raw, err := json.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		return string(raw)
	}
	table := schema + ".hubspot_deals"
	var lineage []string
	events, _ := filepath.Glob("testdata/openlineage/*.json")
	for _, path := range events {
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		lineage = append(lineage, string(raw))
	}
	return map[string][]string{
		"POST /api/tokens": {`{"name": "ci"}`, `{"name": 5}`, js(map[string]any{"name": strings.Repeat("t", 300)})},
		"POST /v1/api/integrations": {js(map[string]any{"type": "postgres", "name": "pg", "credentials": pg}),
			`{"type": "postgres",`, `{"type": 5}`, `{"type":"postgres","credentials":"x"}`, `{"type": "oracle", "credentials": {}}`,
			`{"type": "bigquery", "credentials": {"project_id": "p", "credentials_json": "{nope"}}`},
		"PUT /v1/api/integrations/:id":        {`{"name": "renamed"}`, `{"credentials": {"port": "abc"}}`, `{"type": "mysql"}`},
		"PUT /v1/api/integrations/:id/models": {model, "cubes: 5", "cubes:\n  - name: x\n    sql_table: t\n    measures: [{name: c, type: nope}]"},
		"POST /v1/query": {js(map[string]any{"integration_id": id, "sql": "SELECT stage, count(*) FROM " + table + " GROUP BY 1", "limit": 5}),
			js(map[string]any{"integration_id": id, "cube_query": json.RawMessage(seedCubeQuery)}),
			js(map[string]any{"integration_id": id, "sql": "DELETE FROM " + table}),
			`{"sql": "SELECT 1", "at": "2024-01-01T00:00:00Z"}`, `{"integration_id": "nope", "sql": "SELECT 1", "limit": -1}`},
		"POST /v1/api/integrations/:id/sync": {js(map[string]any{"dest_schema": "fuzz", "schedule": "daily", "tables": []string{table}, "load_method": "merge"}),
			js(map[string]any{"schedule": "cron:0 3 * * *", "tables": []any{map[string]any{"name": schema + ".*", "cursor_field": "close_date"}}}),
			`{"tables": [5], "schedule": "cron:TZ="}`, `{"dest_integration_id": "nope", "load_method": "upsert"}`},
		"POST /v1/api/syncs/:id/replay": {`{"tables": "all"}`, `{"tables": "some"}`},
		"POST /v2/connection": {js(map[string]any{"type": "postgres", "config": pg}), `{"type": "ducklake", "config": {}}`,
			js(map[string]any{"type": "postgres", "credentials": pg, "config": map[string]any{"host": "x"}})},
		"PUT /v2/connection/:id":         {`{"name": "renamed again"}`, `{"config": {"sslmode": "sometimes"}}`},
		"POST /v2/connection/:id/scan":   {js(map[string]any{"query": "SELECT * FROM " + table}), `{"query": 5}`, `{"query": "DROP TABLE x"}`},
		"POST /v2/connection/:id/ai/sql": {`{"question": "how many deals were won?", "execute": true, "limit": 5}`, `{"limit": "x"}`},
		"POST /log/task": {`{"task_id": "t-2", "status": "start", "app_name": "fuzz-app", "task_name": "task", "task_type": "python", "app_pit": "2024-01-01T00:00:00Z"}`,
			`{"task_id": "fuzz-run", "status": "end", "result": "meh"}`, `{"task_id": true, "status": "paused"}`},
		"POST /log/tf": {`{"task_id": "fuzz-run", "tf_id": 1, "query_str": "SELECT 1", "input_datasets": {"a": {"columns": ["id"]}}, "output": {"name": "b"}}`,
			`{"task_id": "fuzz-run", "tf_id": 1, "input_datasets": {"a": {"columns": "id"}}}`},
		"POST /log/dataset": {`{"task_id": "fuzz-run", "ds_name": "b", "ds_type": "table", "metadata": [{"info_type": "schema_field", "info_value": "id-INTEGER", "info_num": 0}, {"info_type": "owner", "info_value": 7}]}`,
			`{"task_id": "fuzz-run", "ds_name": "b", "metadata": [{"info_type": "schema_field", "info_value": "id- "}]}`},
		"POST /log/metrics": {`{"task_id": "fuzz-run", "metrics": [{"asset_name": "b", "metric_type": "rows", "value": 1}]}`,
			`{"task_id": "fuzz-run", "metrics": [{"asset_name": "b", "metric_type": "rows", "value": "1"}]}`},
		"POST /api/v1/lineage":                  lineage,
		"PUT /api/pipelines/:app_name/settings": {`{"task_timeout_seconds": 3600}`, `{"task_timeout_seconds": 1099511627776}`, `{"task_timeout_seconds": null}`},
	}
}
