package api_test

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors/cube/cubetest"
	"github.com/sluice-dev/sluice/internal/testenv"
)

// dealsSetup is the seed's hubspot_deals table: closed deals over four
// months, a third of them won, a few still open and one without a date.
const dealsSetup = `
CREATE TABLE hubspot_deals (id int PRIMARY KEY, stage text, amount numeric(12,2), is_won boolean, is_closed boolean, close_date timestamptz);
INSERT INTO hubspot_deals SELECT g, CASE WHEN g % 3 = 0 THEN 'won' WHEN g % 5 = 0 THEN 'open' ELSE 'lost' END, g * 10.5,
  g % 3 = 0, g % 5 <> 0 OR g % 3 = 0, timestamptz '2024-01-01 00:00:00+00' + (g * 29) * interval '1 hour'
FROM generate_series(1, 120) g;
UPDATE hubspot_deals SET close_date = NULL WHERE id = 7;`

// dealsModel is the seed's model: win_rate is won deals over closed deals.
const dealsModel = `cubes:
  - name: hubspot_deals
    sql_table: {schema}.hubspot_deals
    measures:
      - name: count
        type: count
      - name: won_count
        type: count
        filters:
          - sql: "{CUBE}.is_won"
      - name: closed_count
        type: count
        filters:
          - sql: "{CUBE}.is_closed"
      - name: win_rate
        type: number
        sql: "1.0 * {won_count} / NULLIF({closed_count}, 0)"
        format: percent
      - name: amount
        type: sum
        sql: amount
    dimensions:
      - name: id
        sql: id
        type: number
        primary_key: true
      - name: stage
        sql: stage
        type: string
      - name: close_date
        sql: close_date
        type: time
`

const seedCubeQuery = `{"dimensions": [], "filters": [], "measures": ["hubspot_deals.win_rate"],
  "timeDimensions": [{"dimension": "hubspot_deals.close_date", "granularity": "month"}], "order": [], "limit": 2000}`

func cubeEnv(t *testing.T) (*testenv.Env, string, string, string) {
	t.Helper()
	env := testenv.New(t)
	token := env.Token(t, "acme")
	schema := testenv.PostgresSchema(t, dealsSetup)
	id := createPostgres(t, env, token, "pw")
	res := env.Do(t, http.MethodPut, "/v1/api/integrations/"+id+"/models", token, strings.ReplaceAll(dealsModel, "{schema}", schema))
	if res.Status != http.StatusOK {
		t.Fatalf("put model: %d %s", res.Status, res.Body)
	}
	return env, token, id, schema
}

// TestSeedCubeQueryOnPostgres runs the seed's cube query (win rate by month
// of close date) on a Postgres table with an uploaded model and compares
// the answer with hand-written SQL.
func TestSeedCubeQueryOnPostgres(t *testing.T) {
	env, token, id, schema := cubeEnv(t)
	res := env.Do(t, http.MethodPost, "/v1/query", token, `{"integration_id": "`+id+`", "cube_query": `+seedCubeQuery+`}`)
	if res.Status != http.StatusOK {
		t.Fatalf("cube query: %d %s", res.Status, res.Body)
	}
	body := res.JSON(t)
	for _, key := range []string{"data", "annotation", "query", "sql"} {
		if body[key] == nil {
			t.Fatalf("answer lacks %q: %s", key, res.Body)
		}
	}
	got := map[string]string{}
	for _, r := range body["data"].([]any) {
		row := r.(map[string]any)
		month, _ := row["hubspot_deals.close_date.month"].(string)
		if row["hubspot_deals.close_date"] != row["hubspot_deals.close_date.month"] {
			t.Fatalf("row lacks the time dimension under both keys: %v", row)
		}
		got[month] = fmt.Sprint(row["hubspot_deals.win_rate"])
	}

	hand := env.Do(t, http.MethodPost, "/v1/query", token, map[string]any{"integration_id": id, "sql": fmt.Sprintf(
		`SELECT to_char(date_trunc('month', close_date AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS month,
		        (1.0 * count(*) FILTER (WHERE is_won) / NULLIF(count(*) FILTER (WHERE is_closed), 0))::text AS win_rate
		 FROM %s.hubspot_deals GROUP BY 1`, schema)}).JSON(t)
	want := map[string]string{}
	for _, r := range hand["data"].([]any) {
		row := r.(map[string]any)
		month, _ := row["month"].(string)
		want[month] = fmt.Sprint(row["win_rate"])
	}
	if len(want) < 4 || fmt.Sprint(sortedKeys(got)) != fmt.Sprint(sortedKeys(want)) {
		t.Fatalf("months: got %v, want %v", sortedKeys(got), sortedKeys(want))
	}
	for month, rate := range want {
		g, _ := strconv.ParseFloat(got[month], 64)
		w, _ := strconv.ParseFloat(rate, 64)
		if math.Abs(g-w) > 1e-9 || (got[month] == "<nil>") != (rate == "<nil>") {
			t.Errorf("%s: win rate %s, want %s", month, got[month], rate)
		}
	}
	ann := body["annotation"].(map[string]any)["measures"].(map[string]any)["hubspot_deals.win_rate"].(map[string]any)
	if ann["format"] != "percent" || ann["title"] != "Hubspot Deals Win Rate" {
		t.Errorf("annotation = %v", ann)
	}
	if q := body["query"].(map[string]any); q["limit"].(float64) != 2000 || q["timezone"] != "UTC" {
		t.Errorf("normalized query = %v", q)
	}
	if sql := body["sql"].(string); !strings.Contains(sql, "date_trunc('month'") || !strings.Contains(sql, schema+".hubspot_deals") {
		t.Errorf("sql = %s", sql)
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestCubeQueryRefusals(t *testing.T) {
	env, token, id, _ := cubeEnv(t)
	ask := func(cubeQuery string) testenv.Response {
		return env.Do(t, http.MethodPost, "/v1/query", token, `{"integration_id": "`+id+`", "cube_query": `+cubeQuery+`}`)
	}
	cases := []struct {
		name, query, field, want string
	}{
		{"unknown member", `{"measures": ["hubspot_deals.profit"]}`, "cube_query.measures[0]", "cube hubspot_deals has no member profit"},
		{"measure as dimension", `{"dimensions": ["hubspot_deals.count"]}`, "cube_query.dimensions[0]", "hubspot_deals.count is a measure"},
		{"operator does not fit", `{"measures": ["hubspot_deals.count"], "filters": [{"member": "hubspot_deals.close_date", "operator": "contains", "values": ["x"]}]}`,
			"cube_query.filters[0].operator", "operator contains does not apply to hubspot_deals.close_date, a time dimension"},
		{"unknown field", `{"measures": ["hubspot_deals.count"], "measurez": []}`, "cube_query", `unknown property "measurez"`},
		{"bad relative range", `{"measures": ["hubspot_deals.count"], "timeDimensions": [{"dimension": "hubspot_deals.close_date", "dateRange": "last blue moon"}]}`,
			"cube_query.timeDimensions[0].dateRange", "not a date range"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := ask(tc.query)
			if res.Status != http.StatusBadRequest {
				t.Fatalf("got %d: %s", res.Status, res.Body)
			}
			e := res.JSON(t)["error"].(map[string]any)
			if e["code"] != "invalid_query" || e["field"] != tc.field || !strings.Contains(e["message"].(string), tc.want) {
				t.Fatalf("error = %v; want field %s and a message with %q", e, tc.field, tc.want)
			}
		})
	}
	if res := env.Do(t, http.MethodPost, "/v1/query", token, `{"integration_id": "`+id+`", "sql": "SELECT 1", "cube_query": {"measures": []}}`); res.Status != 400 {
		t.Fatalf("sql and cube_query: %d %s", res.Status, res.Body)
	}
	other := env.Token(t, "other")
	if res := env.Do(t, http.MethodPost, "/v1/query", other, `{"integration_id": "`+id+`", "cube_query": `+seedCubeQuery+`}`); res.Status != 404 {
		t.Fatalf("another team's integration: %d %s", res.Status, res.Body)
	}
	bare := createPostgres(t, env, token, "pw")
	res := env.Do(t, http.MethodPost, "/v1/query", token, `{"integration_id": "`+bare+`", "cube_query": `+seedCubeQuery+`}`)
	if res.Status != 404 || !strings.Contains(string(res.Body), "has no data model") {
		t.Fatalf("no model: %d %s", res.Status, res.Body)
	}
}

// TestModelWithAWriteIsRefusedByTheGuard: a model's SQL is people's text;
// the generated statement goes through the read-only guard before it runs.
func TestModelWithAWriteIsRefusedByTheGuard(t *testing.T) {
	env, token, id, schema := cubeEnv(t)
	model := fmt.Sprintf(`cubes:
  - name: evil
    sql: "WITH gone AS (DELETE FROM %s.hubspot_deals RETURNING *) SELECT * FROM gone"
    measures: [{name: count, type: count}]
`, schema)
	if res := env.Do(t, http.MethodPut, "/v1/api/integrations/"+id+"/models", token, model); res.Status != 200 {
		t.Fatalf("put: %d %s", res.Status, res.Body)
	}
	res := env.Do(t, http.MethodPost, "/v1/query", token, `{"integration_id": "`+id+`", "cube_query": {"measures": ["evil.count"]}}`)
	if res.Status != http.StatusForbidden {
		t.Fatalf("write through the model: %d %s", res.Status, res.Body)
	}
	assertErrorCode(t, res.Body, "read_only")
	count := env.Do(t, http.MethodPost, "/v1/query", token, map[string]any{"integration_id": id, "sql": "SELECT count(*) AS n FROM " + schema + ".hubspot_deals"}).JSON(t)
	if n := count["data"].([]any)[0].(map[string]any)["n"]; n != 120.0 {
		t.Fatalf("rows left: %v", n)
	}
}

func TestModelUploadAndReadBack(t *testing.T) {
	env, token, id, schema := cubeEnv(t)
	got := env.Do(t, http.MethodGet, "/v1/api/integrations/"+id+"/models", token, nil)
	if got.Status != 200 {
		t.Fatalf("get: %d %s", got.Status, got.Body)
	}
	body := got.JSON(t)
	summary := body["summary"].(map[string]any)
	if summary["cubes"].(float64) != 1 || summary["measures"].(float64) != 5 || !strings.Contains(body["source"].(string), schema+".hubspot_deals") {
		t.Fatalf("model = %s", got.Body)
	}
	yamlReq := httptest.NewRequest(http.MethodGet, "/v1/api/integrations/"+id+"/models", nil)
	yamlReq.Header.Set("Authorization", "Bearer "+token)
	yamlReq.Header.Set("Accept", "application/yaml")
	rec := httptest.NewRecorder()
	env.Router.ServeHTTP(rec, yamlReq)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/yaml") || !strings.HasPrefix(rec.Body.String(), "cubes:") {
		t.Fatalf("get as YAML: %d %q %.40s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	bad := "cubes:\n  - name: deals\n    sql_table: t\n    measures:\n      - name: total\n        type: summ\n        sql: amount\n"
	res := env.Do(t, http.MethodPut, "/v1/api/integrations/"+id+"/models", token, bad)
	if res.Status != 400 {
		t.Fatalf("bad model: %d %s", res.Status, res.Body)
	}
	e := res.JSON(t)["error"].(map[string]any)
	if e["code"] != "invalid_model" || !strings.Contains(e["message"].(string), `line 6: cube deals, measure total: unknown type "summ"`) {
		t.Fatalf("bad model error = %v", e)
	}
	big := "# " + strings.Repeat("x", 600<<10) + "\ncubes: []\n"
	if res := env.Do(t, http.MethodPut, "/v1/api/integrations/"+id+"/models", token, big); res.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized model: %d %s", res.Status, res.Body)
	}
	other := env.Token(t, "other")
	for _, method := range []string{http.MethodGet, http.MethodPut} {
		if res := env.Do(t, method, "/v1/api/integrations/"+id+"/models", other, dealsModel); res.Status != 404 {
			t.Fatalf("%s another team's model: %d %s", method, res.Status, res.Body)
		}
	}
	src, err := os.ReadFile("../semantic/testdata/model.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if res := env.Do(t, http.MethodPut, "/v1/api/integrations/"+id+"/models", token, string(src)); res.Status != 200 {
		t.Fatalf("the semantic package's test model: %d %s", res.Status, res.Body)
	}
}

// TestCubeIntegrationForwardsToCube creates an integration of type cube
// against cubetest.Server (an in-process FAKE of Cube's documented REST API
// that first answers "Continue wait") and sends it the seed's cube query.
func TestCubeIntegrationForwardsToCube(t *testing.T) {
	const cubeToken = "cube-secret-token-value"
	fake := &cubetest.Server{Token: cubeToken, Waits: 1}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := testenv.New(t)
	token := env.Token(t, "acme")
	res := env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{
		"type": "cube", "name": "Our Cube", "credentials": map[string]any{"api_url": srv.URL + "/cubejs-api/v1", "token": cubeToken},
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("create cube integration: %d %s", res.Status, res.Body)
	}
	created := res.JSON(t)["integration"].(map[string]any)
	id := created["id"].(string)
	if created["credentials"].(map[string]any)["token"] != "********" || created["embedding_status"] != nil {
		t.Fatalf("created = %v", created)
	}
	res = env.Do(t, http.MethodPost, "/v1/query", token, `{"integration_id": "`+id+`", "cube_query": `+seedCubeQuery+`}`)
	if res.Status != http.StatusOK {
		t.Fatalf("forwarded query: %d %s", res.Status, res.Body)
	}
	data := res.JSON(t)["data"].([]any)
	if len(data) != 1 || data[0].(map[string]any)["hubspot_deals.win_rate"] != "0.5" || fake.Loads.Load() != 2 {
		t.Fatalf("answer %s after %d loads", res.Body, fake.Loads.Load())
	}
	res = env.Do(t, http.MethodPost, "/v1/query", token, `{"integration_id": "`+id+`", "cube_query": {"measures": []}}`)
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "Query should contain") {
		t.Fatalf("Cube's refusal: %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, http.MethodPut, "/v1/api/integrations/"+id+"/models", token, dealsModel); res.Status != 400 {
		t.Fatalf("a model for a cube integration: %d %s", res.Status, res.Body)
	}
	if strings.Contains(env.Logs.String(), cubeToken) {
		t.Fatal("the Cube token is in the logs")
	}
}
