package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// TestSecretsNeverLeave creates one integration that validates and one that
// does not, then looks for their plaintext passwords in every response, every
// log line, every row of sluice's database and every Temporal history.
func TestSecretsNeverLeave(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	goodPassword := "pg-Secret-" + strings.Repeat("7", 12)
	badPassword := "my-Wrong-" + strings.Repeat("9", 12)
	var responses []string
	record := func(res testenv.Response) testenv.Response {
		responses = append(responses, string(res.Body))
		return res
	}

	created := record(env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{
		"type": "postgres", "credentials": testenv.PostgresCredentials(goodPassword),
	}))
	if created.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", created.Status, created.Body)
	}
	id := created.JSON(t)["integration"].(map[string]any)["id"].(string)
	wrong := testenv.MySQLCredentials()
	wrong["password"] = badPassword
	if res := record(env.Do(t, http.MethodPost, "/v2/connection", token, map[string]any{"type": "mysql", "config": wrong})); res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad mysql password: %d %s", res.Status, res.Body)
	}
	record(env.Do(t, http.MethodGet, "/v1/api/integrations", token, nil))
	record(env.Do(t, http.MethodGet, "/v2/connection/"+id, token, nil))
	record(env.Do(t, http.MethodPut, "/v1/api/integrations/"+id, token, map[string]any{"credentials": map[string]any{"password": "********"}}))

	scan := &secretScan{t: t, secrets: map[string]string{"postgres password": goodPassword, "wrong mysql password": badPassword}}
	for i, body := range responses {
		scan.check(fmt.Sprintf("response %d", i), body)
	}
	scan.check("API logs", env.Logs.String())
	for table, rows := range dumpDatabase(t, env) {
		scan.check("table "+table, rows)
	}
	histories := workflowHistories(t, env, "WorkflowType = 'ValidateIntegration' AND TaskQueue = '"+env.TaskQueue+"'", 2, `"integration_id"`)
	for id, h := range histories {
		scan.check("Temporal history of "+id, h)
	}
}
