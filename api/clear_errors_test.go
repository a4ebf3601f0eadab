package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// TestNotSupportedSaysWhatToDoInstead asks the team's lake integration for
// what only a source can do (its schema discovery answers from the lake's
// catalog): "ducklake integrations is not yet supported"
// named neither the operation nor where to go instead.
func TestNotSupportedSaysWhatToDoInstead(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	lakes := env.Do(t, http.MethodGet, "/v1/api/integrations?type=ducklake", token, nil).JSON(t)["integrations"].([]any)
	if len(lakes) != 1 {
		t.Fatalf("%d lake integrations, want 1", len(lakes))
	}
	id := lakes[0].(map[string]any)["id"].(string)
	// Discovery of the lake answers its tables from its catalog.
	if res := env.Do(t, http.MethodGet, "/v2/connection/"+id+"/schema", token, nil); res.Status != http.StatusOK {
		t.Fatalf("schema of the lake: %d %s, want 200", res.Status, res.Body)
	}
	res := env.Do(t, http.MethodGet, "/v2/connection/"+id+"/schema/search?q=users", token, nil)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("schema search on the lake: %d %s, want 422", res.Status, res.Body)
	}
	msg, _ := res.JSON(t)["error"].(map[string]any)["message"].(string)
	for _, want := range []string{"on ducklake integrations is not supported.", "POST /v1/query and no integration_id"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

// TestTypoIsASyntaxError sends a typo to a MySQL source and to the lake: it
// was refused 403 read_only ("SELEC statements are not read-only queries") as
// if it wrote; a syntax error is 400 with the parser's message, as on postgres.
func TestTypoIsASyntaxError(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	res := env.Do(t, http.MethodPost, "/v2/connection", token, map[string]any{"type": "mysql", "config": testenv.MySQLCredentials()})
	if res.Status != http.StatusCreated {
		t.Fatalf("create mysql: %d %s", res.Status, res.Body)
	}
	mysqlID := res.JSON(t)["data"].(map[string]any)["id"].(string)
	cases := []struct {
		name    string
		body    map[string]any
		mention string
	}{
		{"mysql", map[string]any{"integration_id": mysqlID, "sql": "SELECT * FORM t"}, "MySQL parser"},
		{"lake", map[string]any{"sql": "SELEC 1"}, "did you mean SELECT?"},
	}
	for _, tc := range cases {
		res := env.Do(t, http.MethodPost, "/v1/query", token, tc.body)
		if res.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", tc.name, res.Status, res.Body)
			continue
		}
		detail := res.JSON(t)["error"].(map[string]any)
		if detail["code"] != "query_failed" || !strings.Contains(detail["message"].(string), tc.mention) {
			t.Errorf("%s: %v, want query_failed mentioning %q", tc.name, detail, tc.mention)
		}
	}
}
