package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/service"
)

// budgetEnv is a query environment with a 1 MiB answer budget and 64 KiB
// values, so the tests' answers stay small.
func budgetEnv(t *testing.T, tune func(*service.Options)) (*testenv.Env, string, string, string) {
	return queryEnv(t, func(o *service.Options) {
		o.QueryMaxBytes, o.QueryValueBytes = 1<<20, 64<<10
		o.QueryMaxRows = 100
		if tune != nil {
			tune(o)
		}
	})
}

// truncation asserts an answer's flags and returns its rows.
func truncation(t *testing.T, name string, res testenv.Response, meta func(map[string]any) map[string]any, reason any) []any {
	t.Helper()
	if res.Status != http.StatusOK {
		t.Fatalf("%s: %d %.300s", name, res.Status, res.Body)
	}
	body := res.JSON(t)
	m := meta(body)
	if got := m["truncated_reason"]; got != reason || m["truncated"] != (reason != nil) {
		t.Fatalf("%s: truncated %v, reason %v; want reason %v", name, m["truncated"], got, reason)
	}
	return body["data"].([]any)
}

func TestQueryAnswersHaveAByteBudget(t *testing.T) {
	env, token, id, schema := budgetEnv(t, nil)
	top := func(b map[string]any) map[string]any { return b }
	ask := func(integration, sql string) testenv.Response {
		body := map[string]any{"sql": sql}
		if integration != "" {
			body["integration_id"] = integration
		}
		return env.Do(t, http.MethodPost, "/v1/query", token, body)
	}

	rows := truncation(t, "200 MB text", ask(id, "SELECT repeat('x', 200000000) AS s, 1 AS n"), top, "value_bytes")
	if s := rows[0].(map[string]any)["s"].(string); len(s) != 64<<10 || strings.Trim(s, "x") != "" {
		t.Fatalf("cut value has %d bytes, want 65536", len(s))
	}
	rows = truncation(t, "multibyte text", ask(id, "SELECT repeat('é', 40000) AS s"), top, "value_bytes")
	if s := rows[0].(map[string]any)["s"].(string); len(s) != 64<<10 || strings.Trim(s, "é") != "" {
		t.Fatalf("cut multibyte value has %d bytes or a split character", len(s))
	}
	rows = truncation(t, "long bytea, jsonb and array", ask(id, "SELECT decode(repeat('ab', 100000), 'hex') AS b, "+
		"jsonb_build_object('a', repeat('z', 100000)) AS j, array_fill('abc'::text, ARRAY[100000]) AS a, 7 AS n"), top, "value_bytes")
	row := rows[0].(map[string]any)
	if row["a"] != nil || row["n"] != 7.0 || len(row["b"].(string)) > (64<<10)*4/3+4 {
		t.Fatalf("long values: array %v, n %v, bytea of %d base64 chars", row["a"] == nil, row["n"], len(row["b"].(string)))
	}
	rows = truncation(t, "bytes budget", ask(id, "SELECT g, repeat('y', 20000) AS s FROM generate_series(1, 1000) g"), top, "bytes")
	if len(rows) == 0 || len(rows) > 60 {
		t.Fatalf("budget of 1 MiB kept %d rows of 20 kB", len(rows))
	}
	truncation(t, "rows limit", ask(id, "SELECT * FROM "+schema+".people"), top, "rows")
	truncation(t, "whole", ask(id, "SELECT 1 AS one"), top, nil)

	// EXPLAIN cannot be wrapped; its rows are still capped.
	if res := ask(id, "EXPLAIN SELECT 1"); res.Status == http.StatusOK {
		truncation(t, "explain", res, top, nil)
	}

	meta := func(b map[string]any) map[string]any { return b["meta"].(map[string]any) }
	scan := env.Do(t, http.MethodPost, "/v2/connection/"+id+"/scan?limit=100", token, map[string]any{"query": "SELECT repeat('x', 10000000) AS s FROM generate_series(1, 100)"})
	if rows := truncation(t, "scan of 100 x 10 MB", scan, meta, "bytes"); len(rows) == 0 || len(rows) > 16 {
		t.Fatalf("scan kept %d rows of 64 KiB under 1 MiB", len(rows))
	}

	// The lake (DuckDB): values cut, the budget kept, a huge value refused.
	truncation(t, "lake", ask("", "SELECT string_agg('x', '') AS s FROM range(3000000)"), top, "value_bytes")
	if res := ask("", "SELECT repeat('x', 1500000000) AS s"); res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "SLUICE_MAX_VALUE_BYTES") {
		t.Fatalf("a 1.5 GB lake string: %d %.300s", res.Status, res.Body)
	}
	truncation(t, "lake bytes", ask("", "SELECT repeat('x', 60000) AS s FROM range(100)"), top, "bytes")

	// MySQL (MariaDB).
	res := env.Do(t, http.MethodPost, "/v2/connection", token, map[string]any{"type": "mysql", "config": testenv.MySQLCredentials()})
	if res.Status != http.StatusCreated {
		t.Fatalf("create mysql: %d %s", res.Status, res.Body)
	}
	my := res.JSON(t)["data"].(map[string]any)["id"].(string)
	rows = truncation(t, "mysql", ask(my, "SELECT REPEAT('x', 5000000) AS s, 2 AS n"), top, "value_bytes")
	if s := rows[0].(map[string]any)["s"].(string); len(s) != 64<<10 {
		t.Fatalf("mysql cut value has %d bytes", len(s))
	}
	truncation(t, "mysql bytes", ask(my, "SELECT REPEAT('y', 30000) AS s FROM information_schema.columns LIMIT 90"), top, "bytes")
}

// TestQueryMemoryGuardAnswers503: when running queries hold all query
// memory, another query waits briefly and then answers 503 with
// Retry-After, instead of adding its answer to the process's memory.
func TestQueryMemoryGuardAnswers503(t *testing.T) {
	env, token, id, _ := budgetEnv(t, func(o *service.Options) {
		o.QueryMemoryBytes = 1 << 20 // one query's reservation (its 1 MiB budget)
	})
	// A running query's reservation, held as long as the test says.
	_, free, err := env.Service.ReserveQueryMemory(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ask := func() testenv.Response {
		return env.Do(t, http.MethodPost, "/v1/query", token, map[string]any{"integration_id": id, "sql": "SELECT 1"})
	}
	start := time.Now()
	res := ask()
	if res.Status != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("a query while memory is held: %d (Retry-After %q) %s", res.Status, res.Header.Get("Retry-After"), res.Body)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("answered 503 after %s; a query should wait briefly first", waited)
	}
	// A query that finds the memory released while it waits runs.
	go func() {
		time.Sleep(300 * time.Millisecond)
		free()
	}()
	if r := ask(); r.Status != http.StatusOK {
		t.Fatalf("after the memory is released: %d %s", r.Status, r.Body)
	}
}

// TestCubeQueryAnswersSayWhetherTruncated: cube answers carry the SQL
// answer's truncated flag and reason (here the byte budget).
func TestCubeQueryAnswersSayWhetherTruncated(t *testing.T) {
	for _, tc := range []struct {
		budget int64
		reason any
	}{{400, "bytes"}, {1 << 20, nil}} {
		env := testenv.NewWith(t, func(o *service.Options) { o.QueryMaxBytes = tc.budget })
		token := env.Token(t, "acme")
		schema := testenv.PostgresSchema(t, dealsSetup)
		id := createPostgres(t, env, token, "pw")
		if res := env.Do(t, http.MethodPut, "/v1/api/integrations/"+id+"/models", token, strings.ReplaceAll(dealsModel, "{schema}", schema)); res.Status != http.StatusOK {
			t.Fatalf("put model: %d %s", res.Status, res.Body)
		}
		res := env.Do(t, http.MethodPost, "/v1/query", token, `{"integration_id": "`+id+`", "cube_query": `+seedCubeQuery+`}`)
		if res.Status != http.StatusOK {
			t.Fatalf("cube query: %d %s", res.Status, res.Body)
		}
		b := res.JSON(t)
		if b["truncated"] != (tc.reason != nil) || b["truncated_reason"] != tc.reason {
			t.Fatalf("budget %d: truncated %v, reason %v; want %v", tc.budget, b["truncated"], b["truncated_reason"], tc.reason)
		}
	}
}
