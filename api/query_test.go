package api_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/service"
)

const querySetup = `
CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL, balance numeric(20,4), active boolean,
  born date, seen_at timestamptz, photo bytea, tags text[], profile jsonb);
INSERT INTO people SELECT g, 'person ' || g, g * 1000.5, g % 2 = 0, date '2000-01-01' + g,
  timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour', '\x00ff', ARRAY['a', 'b'], '{"n": 1}'
FROM generate_series(1, 150) g;
INSERT INTO people VALUES (1000, 'nobody', NULL, NULL, NULL, NULL, NULL, NULL, NULL);`

func queryEnv(t *testing.T, tune func(*service.Options)) (*testenv.Env, string, string, string) {
	t.Helper()
	env := testenv.NewWith(t, tune)
	token := env.Token(t, "acme")
	schema := testenv.PostgresSchema(t, querySetup)
	return env, token, createPostgres(t, env, token, "pw"), schema
}

func TestQueryKeepsTypes(t *testing.T) {
	env, token, id, schema := queryEnv(t, nil)
	res := env.Do(t, http.MethodPost, "/v1/query", token, map[string]any{
		"integration_id": id,
		"sql":            fmt.Sprintf("SELECT id, name, balance, active, born, seen_at, photo, tags, profile FROM %s.people WHERE id IN (1, 1000) ORDER BY id", schema),
	})
	if res.Status != http.StatusOK {
		t.Fatalf("query: %d %s", res.Status, res.Body)
	}
	body := res.JSON(t)
	rows := body["data"].([]any)
	if len(rows) != 2 || body["row_count"].(float64) != 2 || body["truncated"] != false {
		t.Fatalf("result: %s", res.Body)
	}
	first := rows[0].(map[string]any)
	want := map[string]any{
		"id": 1.0, "name": "person 1", "balance": "1000.5000", "active": false, "born": "2000-01-02",
		"seen_at": "2024-01-01T01:00:00Z", "photo": base64.StdEncoding.EncodeToString([]byte{0, 0xff}),
	}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("%s = %#v, want %#v", k, first[k], v)
		}
	}
	if tags := first["tags"].([]any); len(tags) != 2 || tags[0] != "a" {
		t.Errorf("tags = %v", first["tags"])
	}
	if profile := first["profile"].(map[string]any); profile["n"] != 1.0 {
		t.Errorf("profile = %v, want the JSON object itself", first["profile"])
	}
	for k, v := range rows[1].(map[string]any) {
		if k != "id" && k != "name" && v != nil {
			t.Errorf("row 2 %s = %v, want null", k, v)
		}
	}
	types := map[string]string{}
	for _, c := range body["columns"].([]any) {
		col := c.(map[string]any)
		types[col["name"].(string)] = col["type"].(string)
	}
	if types["balance"] != "decimal" || types["id"] != "int" || types["seen_at"] != "timestamptz" || types["tags"] != "array<string>" {
		t.Errorf("column types = %v", types)
	}
}

func TestQueryLimitsAndErrors(t *testing.T) {
	env, token, id, schema := queryEnv(t, func(o *service.Options) {
		o.QueryMaxRows = 100
		o.QueryTimeout = time.Second
	})
	ask := func(body map[string]any) testenv.Response {
		body["integration_id"] = id
		return env.Do(t, http.MethodPost, "/v1/query", token, body)
	}
	if b := ask(map[string]any{"sql": "SELECT * FROM " + schema + ".people"}).JSON(t); b["row_count"].(float64) != 100 || b["truncated"] != true {
		t.Fatalf("cap: row_count %v truncated %v, want 100 and true", b["row_count"], b["truncated"])
	}
	if b := ask(map[string]any{"sql": "SELECT * FROM " + schema + ".people", "limit": 7}).JSON(t); b["row_count"].(float64) != 7 {
		t.Fatalf("limit 7: row_count %v", b["row_count"])
	}
	cases := []struct {
		name   string
		body   map[string]any
		status int
		code   string
	}{
		{"syntax error", map[string]any{"sql": "SELECT 1 +"}, 400, "query_failed"},
		{"unknown table", map[string]any{"sql": "SELECT * FROM nowhere"}, 400, "query_failed"},
		{"timeout", map[string]any{"sql": "SELECT count(*) FROM generate_series(1, 10000000000)"}, 504, "query_timeout"},
		{"write", map[string]any{"sql": "DELETE FROM " + schema + ".people"}, 403, "read_only"},
		{"empty sql", map[string]any{"sql": ""}, 400, "invalid_input"},
		{"negative limit", map[string]any{"sql": "SELECT 1", "limit": -1}, 400, "invalid_input"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := ask(tc.body)
			if res.Status != tc.status {
				t.Fatalf("got %d, want %d: %s", res.Status, tc.status, res.Body)
			}
			assertErrorCode(t, res.Body, tc.code)
		})
	}
	// Without integration_id the query runs on the team's lake (DuckDB).
	if res := env.Do(t, http.MethodPost, "/v1/query", token, map[string]any{"sql": "SELECT 40 + 2 AS answer"}); res.Status != 200 || !strings.Contains(string(res.Body), `"answer":42`) {
		t.Fatalf("lake query: %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, http.MethodPost, "/v1/query?snapshot=1", token, map[string]any{"sql": "SELECT 1", "integration_id": id}); res.Status != 400 || !strings.Contains(string(res.Body), "snapshot") {
		t.Fatalf("snapshot on a source: %d %s", res.Status, res.Body)
	}
	other := env.Token(t, "other-team")
	if res := env.Do(t, http.MethodPost, "/v1/query", other, map[string]any{"sql": "SELECT 1", "integration_id": id}); res.Status != 404 {
		t.Fatalf("another team's integration: %d %s", res.Status, res.Body)
	}
}

// TestQueryReportsADroppedConnection kills the source backend mid-query.
func TestQueryReportsADroppedConnection(t *testing.T) {
	env, token, id, _ := queryEnv(t, nil)
	var wg sync.WaitGroup
	var res testenv.Response
	wg.Add(1)
	go func() {
		defer wg.Done()
		res = env.Do(t, http.MethodPost, "/v1/query", token, map[string]any{"integration_id": id, "sql": "SELECT count(*) AS marker_for_kill FROM generate_series(1, 10000000000)"})
	}()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		var killed int
		conn := env.Pool // sluice's own database is on the same server
		_ = conn.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE query LIKE '%marker_for_kill%' AND pid <> pg_backend_pid()`).Scan(&killed)
		if killed > 0 {
			break
		}
	}
	wg.Wait()
	if res.Status != http.StatusBadGateway {
		t.Fatalf("got %d, want 502: %s", res.Status, res.Body)
	}
	assertErrorCode(t, res.Body, "source_unavailable")
}

func TestQueryOnMySQL(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	res := env.Do(t, http.MethodPost, "/v2/connection", token, map[string]any{"type": "mysql", "config": testenv.MySQLCredentials()})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	id := res.JSON(t)["data"].(map[string]any)["id"].(string)
	q := env.Do(t, http.MethodPost, "/v1/query", token, map[string]any{"integration_id": id, "sql": "SELECT 1 AS one, CAST(2.50 AS DECIMAL(5,2)) AS two, 'x' AS one"})
	if q.Status != http.StatusOK {
		t.Fatalf("query: %d %s", q.Status, q.Body)
	}
	row := q.JSON(t)["data"].([]any)[0].(map[string]any)
	if row["one"] != 1.0 || row["two"] != "2.50" || row["one_2"] != "x" {
		t.Fatalf("row = %v (a repeated column name is suffixed)", row)
	}
	if w := env.Do(t, http.MethodPost, "/v1/query", token, map[string]any{"integration_id": id, "sql": "DROP DATABASE sluice_never_exists"}); w.Status != http.StatusForbidden {
		t.Fatalf("DROP DATABASE: %d %s", w.Status, w.Body)
	}
}
