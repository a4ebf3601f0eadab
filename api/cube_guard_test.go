package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestModelSQLCallsOnlyAllowedFunctions: a model's SQL snippets are people's
// text, so a dimension or measure that calls a function running SQL given as
// text (ts_stat here, which no deny list named) or a function that is not a
// built-in is refused by the guard's allowlist when the cube query runs, with
// the function named.
func TestModelSQLCallsOnlyAllowedFunctions(t *testing.T) {
	env, token, id, schema := cubeEnv(t)
	model := fmt.Sprintf(`cubes:
  - name: evil
    sql_table: %[1]s.hubspot_deals
    measures: [{name: count, type: count}]
    dimensions:
      - name: words
        type: number
        sql: "(SELECT count(*) FROM ts_stat('SELECT to_tsvector(stage) FROM %[1]s.hubspot_deals'))"
      - name: custom
        type: string
        sql: "public.my_udf({CUBE}.stage)"
`, schema)
	if res := env.Do(t, http.MethodPut, "/v1/api/integrations/"+id+"/models", token, model); res.Status != 200 {
		t.Fatalf("put: %d %s", res.Status, res.Body)
	}
	for dim, name := range map[string]string{"evil.words": "ts_stat", "evil.custom": "public.my_udf"} {
		res := env.Do(t, http.MethodPost, "/v1/query", token, `{"integration_id": "`+id+`", "cube_query": {"dimensions": ["`+dim+`"], "measures": ["evil.count"]}}`)
		if res.Status != http.StatusForbidden || !strings.Contains(string(res.Body), "function "+name+" is not on the allowlist") {
			t.Errorf("%s: %d %s, want 403 naming %s", dim, res.Status, res.Body, name)
			continue
		}
		assertErrorCode(t, res.Body, "read_only")
	}
}
