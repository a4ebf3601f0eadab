package api_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/encoding/protojson"

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

	secretsUsed := []string{goodPassword, badPassword}
	scan := func(where, text string) {
		t.Helper()
		for _, s := range secretsUsed {
			if strings.Contains(text, s) {
				t.Errorf("plaintext secret found in %s", where)
			}
		}
	}
	for i, body := range responses {
		scan("response "+string(rune('0'+i)), body)
	}
	scan("API logs", env.Logs.String())
	scan("sluice's database", dumpDatabase(t, env))
	histories := validationHistories(t, env, 2)
	for i, h := range histories {
		scan("Temporal history "+string(rune('0'+i)), h)
	}
}

func dumpDatabase(t *testing.T, env *testenv.Env) string {
	t.Helper()
	rows, err := env.Pool.Query(context.Background(), `
		SELECT string_agg(t::text, E'\n') FROM teams t
		UNION ALL SELECT string_agg(a::text, E'\n') FROM api_tokens a
		UNION ALL SELECT string_agg(i::text || convert_from(coalesce(i.sealed_secrets, ''), 'SQL_ASCII'), E'\n') FROM integrations i`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var s *string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		if s != nil {
			b.WriteString(*s)
		}
	}
	if b.Len() == 0 {
		t.Fatal("database dump is empty")
	}
	return b.String()
}

// validationHistories returns the JSON histories of this test's validation
// workflows, waiting for visibility to list at least want of them.
func validationHistories(t *testing.T, env *testenv.Env, want int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var histories []string
	for {
		resp, err := env.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: "WorkflowType = 'ValidateIntegration' AND TaskQueue = '" + env.TaskQueue + "'",
		})
		if err != nil {
			t.Fatalf("list workflows: %v", err)
		}
		if len(resp.Executions) >= want {
			for _, ex := range resp.Executions {
				iter := env.Temporal.GetWorkflowHistory(ctx, ex.Execution.WorkflowId, ex.Execution.RunId, false, 0)
				var b strings.Builder
				for iter.HasNext() {
					event, err := iter.Next()
					if err != nil {
						t.Fatalf("read history: %v", err)
					}
					b.WriteString(withDecodedPayloads(protojson.Format(event)))
				}
				// The decoded input must be readable, or the scan proves nothing.
				if !strings.Contains(b.String(), `"integration_id"`) {
					t.Fatalf("history of %s has no decoded workflow input", ex.Execution.WorkflowId)
				}
				histories = append(histories, b.String())
			}
			return histories
		}
		select {
		case <-ctx.Done():
			t.Fatalf("visibility listed %d validation workflows, want %d", len(resp.Executions), want)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

var payloadData = regexp.MustCompile(`"data":\s*"([A-Za-z0-9+/=]+)"`)

// withDecodedPayloads appends the base64-decoded payloads to a JSON history
// event, since protojson shows payload bytes only as base64.
func withDecodedPayloads(event string) string {
	var b strings.Builder
	b.WriteString(event)
	for _, m := range payloadData.FindAllStringSubmatch(event, -1) {
		if raw, err := base64.StdEncoding.DecodeString(m[1]); err == nil {
			b.WriteByte('\n')
			b.Write(raw)
		}
	}
	return b.String()
}
