package api_test

import (
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// TestBadInputIsAClear4xx sends every kind of malformed request we could
// think of; each must be a 4xx JSON error naming the problem, never a 500.
func TestBadInputIsAClear4xx(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	pg := testenv.PostgresCredentials("")
	without := func(field string) map[string]any {
		c := map[string]any{}
		for k, v := range pg {
			if k != field {
				c[k] = v
			}
		}
		return c
	}
	with := func(field string, value any) map[string]any {
		c := without(field)
		c[field] = value
		return c
	}
	huge := `{"type":"postgres","name":"` + strings.Repeat("x", 1<<20) + `"}`
	ghost := "0b7e5c1e-8a2f-4c35-9d1b-000000000000" // a well-formed id nothing has
	cases := []struct {
		name, method, path string
		body               any
		status             int
		mention            string
	}{
		{"malformed JSON", "POST", "/v1/api/integrations", `{"type": "postgres",`, 400, "malformed JSON"},
		{"not JSON at all", "POST", "/v1/api/integrations", `type=postgres`, 400, "malformed JSON"},
		{"empty body", "POST", "/v1/api/integrations", ``, 400, "empty"},
		{"array body", "POST", "/v1/api/integrations", `[]`, 400, "object"},
		{"two JSON values", "POST", "/v1/api/integrations", `{"type":"postgres"} {}`, 400, "single JSON value"},
		{"type is a number", "POST", "/v1/api/integrations", `{"type": 5}`, 400, "type"},
		{"credentials is a string", "POST", "/v1/api/integrations", `{"type":"postgres","credentials":"x"}`, 400, "credentials"},
		{"unknown top-level field", "POST", "/v1/api/integrations", `{"type":"postgres","credentials":{},"colour":"red"}`, 400, "colour"},
		{"oversized body", "POST", "/v1/api/integrations", huge, 413, "larger than"},
		{"missing type", "POST", "/v1/api/integrations", map[string]any{"credentials": pg}, 400, "type"},
		{"unknown type", "POST", "/v1/api/integrations", map[string]any{"type": "oracle", "credentials": pg}, 400, "oracle"},
		{"lake is not user-created", "POST", "/v2/connection", map[string]any{"type": "ducklake", "config": map[string]any{}}, 400, "ducklake"},
		{"missing credentials", "POST", "/v1/api/integrations", map[string]any{"type": "postgres"}, 400, "credentials"},
		{"missing host", "POST", "/v1/api/integrations", map[string]any{"type": "postgres", "credentials": without("host")}, 400, "credentials.host"},
		{"port not a number", "POST", "/v1/api/integrations", map[string]any{"type": "postgres", "credentials": with("port", "abc")}, 400, "credentials.port"},
		{"port negative", "POST", "/v1/api/integrations", map[string]any{"type": "postgres", "credentials": with("port", -1)}, 400, "credentials.port"},
		{"host is an object", "POST", "/v1/api/integrations", map[string]any{"type": "postgres", "credentials": with("host", map[string]any{})}, 400, "credentials.host"},
		{"sslmode not allowed", "POST", "/v1/api/integrations", map[string]any{"type": "postgres", "credentials": with("sslmode", "sometimes")}, 400, "credentials.sslmode"},
		{"unknown credential field", "POST", "/v1/api/integrations", map[string]any{"type": "postgres", "credentials": with("hostname", "x")}, 400, "credentials.hostname"},
		{"field in credentials and config", "POST", "/v2/connection", map[string]any{"type": "postgres", "credentials": pg, "config": map[string]any{"host": "x"}}, 400, "host"},
		{"bigquery key not JSON", "POST", "/v1/api/integrations", map[string]any{"type": "bigquery", "credentials": map[string]any{"project_id": "p", "credentials_json": "{nope"}}, 400, "credentials.credentials_json"},
		{"name too long", "POST", "/v1/api/integrations", map[string]any{"type": "postgres", "name": strings.Repeat("n", 201), "credentials": pg}, 400, "name"},
		{"malformed id", "GET", "/v1/api/integrations/not-a-uuid", nil, 400, `integration id "not-a-uuid" is malformed`},
		{"malformed id on PUT", "PUT", "/v2/connection/42", map[string]any{"name": "x"}, 400, `connection id "42" is malformed`},
		{"malformed run id", "POST", "/v1/api/syncs/7/cancel", nil, 400, `sync run id "7" is malformed`},
		{"malformed integration_id", "POST", "/v1/query", map[string]any{"integration_id": "abc", "sql": "SELECT 1"}, 400, `integration_id "abc" is malformed`},
		{"unknown integration", "GET", "/v1/api/integrations/" + ghost, nil, 404, "integration " + ghost + " not found"},
		{"unknown connection schema", "GET", "/v2/connection/" + ghost + "/schema", nil, 404, "connection " + ghost + " not found"},
		{"unknown sync run", "GET", "/v1/api/syncs/" + ghost, nil, 404, "sync run " + ghost + " not found"},
		{"unknown integration in a query", "POST", "/v1/query", map[string]any{"integration_id": ghost, "sql": "SELECT 1"}, 404, "integration_id names no integration"},
		{"unknown connection type", "GET", "/v2/connectionconfig/oracle", nil, 404, `connection type "oracle" not found`},
		{"unknown route", "GET", "/v1/api/nothing-here", nil, 404, "no route GET /v1/api/nothing-here"},
		{"wrong method", "PATCH", "/v1/api/integrations", nil, 405, "PATCH"},
		{"token name too long", "POST", "/api/tokens", map[string]any{"name": strings.Repeat("t", 300)}, 400, "name"},
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
	var n int
	if err := env.Pool.QueryRow(t.Context(), "SELECT count(*) FROM integrations WHERE type <> 'ducklake'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d integrations saved by bad requests (err %v)", n, err)
	}
}
