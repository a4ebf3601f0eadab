package api_test

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// winRates runs the seed's cube query on an integration and returns the
// win rate of each month, keyed by the month as Cube writes it.
func winRates(t *testing.T, env *testenv.Env, token, integrationID string) (map[string]string, map[string]any) {
	t.Helper()
	res := env.Do(t, http.MethodPost, "/v1/query", token, `{"integration_id": "`+integrationID+`", "cube_query": `+seedCubeQuery+`}`)
	if res.Status != http.StatusOK {
		t.Fatalf("cube query on %s: %d %s", integrationID, res.Status, res.Body)
	}
	body := res.JSON(t)
	got := map[string]string{}
	for _, r := range body["data"].([]any) {
		row := r.(map[string]any)
		month, _ := row["hubspot_deals.close_date.month"].(string)
		got[month] = fmt.Sprint(row["hubspot_deals.win_rate"])
	}
	return got, body
}

// sameRates fails the test unless both maps hold the same months with win
// rates equal to 1e-9 (and NULL in the same months).
func sameRates(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(want) < 4 || fmt.Sprint(sortedKeys(got)) != fmt.Sprint(sortedKeys(want)) {
		t.Fatalf("%s: months %v, want %v", what, sortedKeys(got), sortedKeys(want))
	}
	for month, rate := range want {
		g, errG := strconv.ParseFloat(got[month], 64)
		w, errW := strconv.ParseFloat(rate, 64)
		if (errG == nil) != (errW == nil) || math.Abs(g-w) > 1e-9 {
			t.Errorf("%s, %s: win rate %s, want %s", what, month, got[month], rate)
		}
	}
}

// TestSeedCubeQueryOnTheLake syncs the seed's hubspot_deals table from
// Postgres into the team's lake, uploads the model for the lake integration
// and runs the seed's cube query on it. The answer must match hand-written
// DuckDB SQL over the lake, and the same query on the Postgres source.
func TestSeedCubeQueryOnTheLake(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	schema := testenv.PostgresSchema(t, dealsSetup)
	f := syncFixture{env: env, token: token, id: createPostgres(t, env, token, "pw"), schema: schema}
	if res := f.configure(t, map[string]any{"dest_schema": "CRM", "schedule": "daily", "load_method": "overwrite",
		"tables": []any{schema + ".hubspot_deals"}}); res.Status != http.StatusOK {
		t.Fatalf("configure sync: %d %s", res.Status, res.Body)
	}
	if run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil); run["status"] != "succeeded" {
		t.Fatalf("sync run: %v", run)
	}

	lakes := env.Do(t, http.MethodGet, "/v1/api/integrations?type=ducklake", token, nil).JSON(t)["integrations"].([]any)
	if len(lakes) != 1 {
		t.Fatalf("lake integrations: %v", lakes)
	}
	lakeID := lakes[0].(map[string]any)["id"].(string)
	if res := env.Do(t, http.MethodPut, "/v1/api/integrations/"+lakeID+"/models", token, strings.ReplaceAll(dealsModel, "{schema}", "CRM")); res.Status != http.StatusOK {
		t.Fatalf("put the lake's model: %d %s", res.Status, res.Body)
	}
	got, body := winRates(t, env, token, lakeID)
	if sql := body["sql"].(string); !strings.Contains(sql, "timezone('UTC'") || !strings.Contains(sql, "CRM.hubspot_deals") {
		t.Errorf("the lake's query is not DuckDB's over CRM.hubspot_deals: %s", sql)
	}

	hand := env.Do(t, http.MethodPost, "/v1/query", token, map[string]any{"integration_id": lakeID, "sql": `
		SELECT strftime(date_trunc('month', close_date AT TIME ZONE 'UTC'), '%Y-%m-%dT%H:%M:%S.000') AS month,
		       CAST(1.0 * count(*) FILTER (WHERE is_won) / NULLIF(count(*) FILTER (WHERE is_closed), 0) AS VARCHAR) AS win_rate
		FROM CRM.hubspot_deals GROUP BY 1`})
	if hand.Status != http.StatusOK {
		t.Fatalf("hand-written lake query: %d %s", hand.Status, hand.Body)
	}
	want := map[string]string{}
	for _, r := range hand.JSON(t)["data"].([]any) {
		row := r.(map[string]any)
		month, _ := row["month"].(string)
		want[month] = fmt.Sprint(row["win_rate"])
	}
	sameRates(t, "lake against hand-written DuckDB SQL", got, want)

	if res := env.Do(t, http.MethodPut, "/v1/api/integrations/"+f.id+"/models", token, strings.ReplaceAll(dealsModel, "{schema}", schema)); res.Status != http.StatusOK {
		t.Fatalf("put the source's model: %d %s", res.Status, res.Body)
	}
	source, _ := winRates(t, env, token, f.id)
	sameRates(t, "lake against the Postgres source", got, source)
}
