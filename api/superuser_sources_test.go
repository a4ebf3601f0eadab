package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/internal/testenv"
)

// TestSuperuserSourcesRefusedUnlessAllowed registers the local server's
// superuser as a source: refused at validation's permissions step while
// superuser sources are refused, and accepted with a warning in the answer's
// validation result once SLUICE_ALLOW_SUPERUSER_SOURCES allows them. A
// read-only role passes without warnings.
func TestSuperuserSourcesRefusedUnlessAllowed(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	superuser := testenv.PostgresCredentials("")
	superuser["username"] = "postgres"
	t.Cleanup(func() { connectors.SetAllowSuperuserSources(false) }) // as testenv sets it

	connectors.SetAllowSuperuserSources(false)
	res := env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{"type": "postgres", "credentials": superuser})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("superuser source with superuser sources refused: %d, want 422: %s", res.Status, res.Body)
	}
	detail := res.JSON(t)["error"].(map[string]any)
	if detail["step"] != "permissions" || !strings.Contains(string(res.Body), "SLUICE_ALLOW_SUPERUSER_SOURCES") {
		t.Fatalf("error = %v, want a permissions failure naming SLUICE_ALLOW_SUPERUSER_SOURCES", detail)
	}
	res = env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{"type": "postgres", "name": "reader", "credentials": testenv.PostgresCredentials("")})
	if res.Status != http.StatusCreated || strings.Contains(string(res.Body), `"validation"`) {
		t.Fatalf("read-only source: %d %s, want 201 without a validation warning", res.Status, res.Body)
	}

	connectors.SetAllowSuperuserSources(true)
	res = env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{"type": "postgres", "name": "super", "credentials": superuser})
	if res.Status != http.StatusCreated {
		t.Fatalf("superuser source with superuser sources allowed: %d %s, want 201", res.Status, res.Body)
	}
	data, _ := res.JSON(t)["integration"].(map[string]any)
	validation, _ := data["validation"].(map[string]any)
	warnings, _ := validation["warnings"].([]any)
	if len(warnings) != 1 || !strings.Contains(warnings[0].(string), "superuser") {
		t.Fatalf("validation = %v, want one warning about the superuser: %s", data["validation"], res.Body)
	}
}
