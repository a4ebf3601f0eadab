package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/service"
)

func TestDiscoveryIsCachedAndScoped(t *testing.T) {
	env, token, id, schema := queryEnv(t, nil)
	testenv.ExecPostgres(t, "CREATE VIEW "+schema+".adults AS SELECT * FROM "+schema+".people WHERE active")

	first := env.Do(t, http.MethodGet, "/v2/connection/"+id+"/schema", token, nil)
	if first.Status != http.StatusOK {
		t.Fatalf("schema: %d %s", first.Status, first.Body)
	}
	data := first.JSON(t)["data"].(map[string]any)
	if data["cache"].(map[string]any)["cached"] != false {
		t.Fatalf("first call served from cache: %v", data["cache"])
	}
	kinds := map[string]string{}
	for _, tb := range data["tables"].([]any) {
		m := tb.(map[string]any)
		if m["schema"] == schema {
			kinds[m["name"].(string)] = m["kind"].(string)
		}
	}
	if kinds["people"] != "table" || kinds["adults"] != "view" {
		t.Fatalf("tables in %s: %v", schema, kinds)
	}
	second := env.Do(t, http.MethodGet, "/v1/api/integrations/"+id+"/schema", token, nil).JSON(t)
	if second["cache"].(map[string]any)["cached"] != true {
		t.Fatalf("second call not served from cache: %v", second["cache"])
	}
	if refreshed := env.Do(t, http.MethodGet, "/v1/api/integrations/"+id+"/schema?refresh=true", token, nil).JSON(t); refreshed["cache"].(map[string]any)["cached"] != false {
		t.Fatalf("refresh=true served from cache")
	}

	for _, name := range []string{schema + ".people", "people"} {
		res := env.Do(t, http.MethodGet, "/v1/api/integrations/"+id+"/schema/"+name, token, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("columns of %s: %d %s", name, res.Status, res.Body)
		}
		cols := res.JSON(t)["columns"].([]any)
		idCol := cols[0].(map[string]any)
		if len(cols) != 9 || idCol["name"] != "id" || idCol["primary_key"] != true || idCol["type"] != "int" || idCol["source_type"] != "integer" {
			t.Fatalf("columns of %s: %s", name, res.Body)
		}
		if bal := cols[2].(map[string]any); bal["type"] != "decimal(20,4)" || bal["nullable"] != true {
			t.Fatalf("balance column: %v", bal)
		}
	}
	if res := env.Do(t, http.MethodGet, "/v2/connection/"+id+"/schema/no_such_table", token, nil); res.Status != http.StatusNotFound {
		t.Fatalf("unknown table: %d %s", res.Status, res.Body)
	}
	other := env.Token(t, "other")
	if res := env.Do(t, http.MethodGet, "/v2/connection/"+id+"/schema", other, nil); res.Status != http.StatusNotFound {
		t.Fatalf("another team's schema: %d", res.Status)
	}
}

func TestAmbiguousBareTableName(t *testing.T) {
	env, token, id, _ := queryEnv(t, nil)
	testenv.PostgresSchema(t, "CREATE TABLE people (id int)")
	res := env.Do(t, http.MethodGet, "/v1/api/integrations/"+id+"/schema/people", token, nil)
	if res.Status != http.StatusBadRequest {
		t.Fatalf("ambiguous name: %d %s", res.Status, res.Body)
	}
}

func TestDiscoveryRateLimit(t *testing.T) {
	env, token, id, _ := queryEnv(t, func(o *service.Options) {
		o.DiscoveryRate = service.Rate{Limit: 2, Window: time.Minute}
	})
	for i := 0; i < 2; i++ {
		if r := env.Do(t, http.MethodGet, "/v1/api/integrations/"+id+"/schema?refresh=true", token, nil); r.Status != http.StatusOK {
			t.Fatalf("call %d: %d", i, r.Status)
		}
	}
	r := env.Do(t, http.MethodGet, "/v1/api/integrations/"+id+"/schema?refresh=true", token, nil)
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("third refresh: %d %q", r.Status, r.Header.Get("Retry-After"))
	}
	if r := env.Do(t, http.MethodGet, "/v1/api/integrations/"+id+"/schema", token, nil); r.Status != http.StatusOK {
		t.Fatalf("a cached answer must not be rate limited: %d", r.Status)
	}
}
