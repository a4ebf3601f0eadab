package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/service"
)

func TestScanFollowsLyticsLimits(t *testing.T) {
	env, token, id, schema := queryEnv(t, func(o *service.Options) {
		o.ScanRate = service.Rate{Limit: 10, Window: 10 * time.Second}
	})
	scan := func(query string) string { return "/v2/connection/" + id + "/scan" + query }
	body := map[string]any{"query": "SELECT id FROM " + schema + ".people ORDER BY id"}

	res := env.Do(t, http.MethodPost, scan(""), token, body)
	if res.Status != http.StatusOK {
		t.Fatalf("scan: %d %s", res.Status, res.Body)
	}
	out := res.JSON(t)
	if n := len(out["data"].([]any)); n != 20 || out["message"] != "success" || out["meta"].(map[string]any)["truncated"] != true {
		t.Fatalf("default scan returned %d rows: %s", n, res.Body)
	}
	if n := len(env.Do(t, http.MethodPost, scan("?limit=100"), token, body).JSON(t)["data"].([]any)); n != 100 {
		t.Fatalf("limit=100 returned %d rows", n)
	}
	for _, bad := range []string{"?limit=101", "?limit=0", "?limit=abc"} {
		if r := env.Do(t, http.MethodPost, scan(bad), token, body); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "limit") {
			t.Fatalf("%s: %d %s", bad, r.Status, r.Body)
		}
	}
	empty := env.Do(t, http.MethodPost, scan(""), token, map[string]any{"query": ""})
	if empty.Status != http.StatusBadRequest || empty.JSON(t)["error"].(map[string]any)["field"] != "query" {
		t.Fatalf("an empty scan must be a 400 naming the body's field \"query\": %d %s", empty.Status, empty.Body)
	}
	// Requests so far: 2 accepted scans (bad input is refused before counting).
	for i := 3; i <= 10; i++ {
		if r := env.Do(t, http.MethodPost, scan(""), token, body); r.Status != http.StatusOK {
			t.Fatalf("scan %d: %d %s", i, r.Status, r.Body)
		}
	}
	limited := env.Do(t, http.MethodPost, scan(""), token, body)
	if limited.Status != http.StatusTooManyRequests || limited.Header.Get("Retry-After") == "" {
		t.Fatalf("11th scan: %d (Retry-After %q) %s", limited.Status, limited.Header.Get("Retry-After"), limited.Body)
	}
	other := env.Token(t, "other")
	if r := env.Do(t, http.MethodPost, scan(""), other, body); r.Status != http.StatusNotFound {
		t.Fatalf("another team, limited or not, must see 404: %d", r.Status)
	}
}

func TestScanRefusesWrites(t *testing.T) {
	env, token, id, schema := queryEnv(t, nil)
	for _, q := range []string{
		"INSERT INTO " + schema + ".people (id, name) VALUES (5000, 'x')",
		"/* harmless */ update " + schema + ".people SET name = 'x'",
		"WITH d AS (DELETE FROM " + schema + ".people RETURNING *) SELECT * FROM d",
		"SELECT 1; DROP TABLE " + schema + ".people",
	} {
		r := env.Do(t, http.MethodPost, "/v2/connection/"+id+"/scan", token, map[string]any{"query": q})
		if r.Status != http.StatusForbidden {
			t.Fatalf("%q: %d %s", q, r.Status, r.Body)
		}
		assertErrorCode(t, r.Body, "read_only")
	}
	count := env.Do(t, http.MethodPost, "/v1/query", token, map[string]any{"integration_id": id, "sql": "SELECT count(*) AS n, max(name) AS top FROM " + schema + ".people"})
	row := count.JSON(t)["data"].([]any)[0].(map[string]any)
	if row["n"] != 151.0 || row["top"] != "person 99" {
		t.Fatalf("table changed: %v", row)
	}
}
