package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/llm"
	"github.com/sluice-dev/sluice/service"
)

// shopSetup is a small warehouse: the embeddings must find invoices for a
// question about overdue bills. The one customer's email is a row value
// that must never reach the LLM.
const shopSetup = `
CREATE SCHEMA finance; CREATE SCHEMA sales; CREATE SCHEMA hr;
CREATE TABLE sales.customers (cust_id int PRIMARY KEY, cust_email text, signup_dt date);
CREATE TABLE sales.orders (order_id int PRIMARY KEY, cust_id int, order_ts timestamptz, total_amt numeric);
CREATE TABLE finance.invoices (invoice_id int PRIMARY KEY, cust_id int, due_dt date, amt_due numeric, status text);
CREATE TABLE finance.payments (pmt_id int PRIMARY KEY, invoice_id int, pmt_ts timestamptz, amt numeric);
CREATE TABLE hr.employees (emp_id int PRIMARY KEY, first_name text, hire_dt date);
COMMENT ON TABLE finance.invoices IS 'Bills sent to customers';
INSERT INTO sales.customers VALUES (1, 'zed.secret@example.com', '2024-01-01');
INSERT INTO finance.invoices VALUES (1, 1, '2020-01-31', 100, 'open'), (2, 1, '2999-01-31', 50, 'open'), (3, 1, '2020-01-01', 10, 'paid');`

// shopDatabase creates a database of its own for the connection, so its
// schema holds only the fixture's tables.
func shopDatabase(t *testing.T) string {
	t.Helper()
	return testenv.PostgresDatabase(t, "shop_", shopSetup)
}

// createShopConnection creates the connection and waits, by polling the
// connection itself, for its embeddings to become ready on their own.
func createShopConnection(t *testing.T, env *testenv.Env, token, database string) string {
	t.Helper()
	creds := testenv.PostgresCredentials("pw")
	creds["database"] = database
	res := env.Do(t, http.MethodPost, "/v2/connection", token, map[string]any{"type": "postgres", "name": "Shop", "config": creds})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	conn := res.JSON(t)["data"].(map[string]any)
	if conn["embedding_status"] != "pending" {
		t.Fatalf("a new connection's embedding_status = %v, want pending", conn["embedding_status"])
	}
	id := conn["id"].(string)
	waitEmbedded(t, env, token, id, func(c map[string]any) bool { return c["embedding_status"] == "ready" })
	return id
}

func waitEmbedded(t *testing.T, env *testenv.Env, token, id string, done func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn := env.Do(t, http.MethodGet, "/v2/connection/"+id, token, nil).JSON(t)["data"].(map[string]any)
		if done(conn) {
			return conn
		}
		if conn["embedding_status"] == "failed" || time.Now().After(deadline) {
			t.Fatalf("embeddings: %v", conn["embedding"])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestNewConnectionIsEmbeddedAndSearchable: creating a connection starts
// EmbedSchema by itself; search then ranks the right table first; a new
// table found by discovery triggers a new run.
func TestNewConnectionIsEmbeddedAndSearchable(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	database := shopDatabase(t)
	id := createShopConnection(t, env, token, database)
	conn := env.Do(t, http.MethodGet, "/v1/api/integrations/"+id, token, nil).JSON(t)["integration"].(map[string]any)
	if conn["embedded_tables"] != 5.0 || conn["embedded_columns"] != 19.0 || conn["embedded_at"] == nil {
		t.Fatalf("embedding counts: %v", conn)
	}

	res := env.Do(t, http.MethodGet, "/v2/connection/"+id+"/schema/search?q=which+bills+are+overdue&k=3", token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("search: %d %s", res.Status, res.Body)
	}
	data := res.JSON(t)["data"].(map[string]any)
	tables := data["tables"].([]any)
	first := tables[0].(map[string]any)
	if len(tables) != 3 || first["schema"] != "finance" || first["table"] != "invoices" {
		t.Fatalf("ranking: %s", res.Body)
	}
	if cols := first["matching_columns"].([]any); len(cols) == 0 || len(data["columns"].([]any)) != 3 {
		t.Fatalf("columns: %s", res.Body)
	}

	for q, want := range map[string]int{"k=0": 400, "k=51": 400, "k=x": 400, "": 400} {
		if res := env.Do(t, http.MethodGet, "/v2/connection/"+id+"/schema/search?q=x&"+q, token, nil); q != "" && res.Status != want {
			t.Errorf("%s: %d %s", q, res.Status, res.Body)
		}
	}
	if res := env.Do(t, http.MethodGet, "/v2/connection/"+id+"/schema/search", token, nil); res.Status != 400 {
		t.Errorf("no q: %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, http.MethodGet, "/v2/connection/"+id+"/schema/search?q=x", env.Token(t, "other"), nil); res.Status != 404 {
		t.Errorf("another team's connection: %d %s", res.Status, res.Body)
	}
	// The static segment does not shadow describing a table.
	if res := env.Do(t, http.MethodGet, "/v2/connection/"+id+"/schema/finance.invoices", token, nil); res.Status != 200 {
		t.Errorf("describe beside search: %d %s", res.Status, res.Body)
	}

	ctx := context.Background()
	c, err := pgx.Connect(ctx, strings.Replace(dbtest.AdminURL(), "/postgres?", "/"+database+"?", 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "CREATE TABLE hr.timesheets (timesheet_id int PRIMARY KEY, emp_id int, hours_worked numeric)"); err != nil {
		t.Fatal(err)
	}
	c.Close(ctx)
	if res := env.Do(t, http.MethodGet, "/v2/connection/"+id+"/schema?refresh=true", token, nil); res.Status != 200 {
		t.Fatalf("refresh: %d %s", res.Status, res.Body)
	}
	conn = waitEmbedded(t, env, token, id, func(c map[string]any) bool {
		return c["embedding_status"] == "ready" && c["embedded_tables"] == 6.0
	})
	if reason := conn["embedding"].(map[string]any)["reason"]; reason != "schema changed" {
		t.Fatalf("reason = %v", reason)
	}
}

// fakeChat is an in-process FAKE of an OpenAI-compatible
// POST /v1/chat/completions endpoint (documented wire format: {"model",
// "messages"} → {"choices": [{"message": {"role", "content"}}]}). It
// answers a canned draft per question and records every prompt.
type fakeChat struct {
	mu      sync.Mutex
	prompts []string
}

func (f *fakeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Messages []llm.Message `json:"messages"`
	}
	if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer sk-fake-llm" || json.NewDecoder(r.Body).Decode(&req) != nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	prompt := req.Messages[len(req.Messages)-1].Content
	f.mu.Lock()
	f.prompts = append(f.prompts, req.Messages[0].Content+"\n"+prompt)
	f.mu.Unlock()
	answer := "```sql\nSELECT invoice_id, amt_due FROM finance.invoices WHERE due_dt < current_date AND status <> 'paid' ORDER BY invoice_id;\n```\nOpen invoices past their due date."
	if strings.Contains(prompt, "delete") {
		answer = "```sql\nDELETE FROM finance.invoices WHERE status = 'paid'\n```\nRemoves paid invoices."
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"id": "chatcmpl-fake", "object": "chat.completion",
		"choices": []map[string]any{{"index": 0, "finish_reason": "stop", "message": map[string]string{"role": "assistant", "content": answer}}}})
}

// TestAISQLEndToEnd drafts, runs and refuses SQL through the fake chat endpoint.
func TestAISQLEndToEnd(t *testing.T) {
	chat := &fakeChat{}
	srv := httptest.NewServer(chat)
	defer srv.Close()
	env := testenv.NewWith(t, func(o *service.Options) {
		o.LLM = llm.Config{BaseURL: srv.URL, APIKey: "sk-fake-llm", Model: "fake-sql-1"}
	})
	token := env.Token(t, "acme")
	id := createShopConnection(t, env, token, shopDatabase(t))

	res := env.Do(t, http.MethodPost, "/v2/connection/"+id+"/ai/sql", token, map[string]any{"question": "Which bills are overdue?", "execute": true})
	if res.Status != http.StatusOK {
		t.Fatalf("ai sql: %d %s", res.Status, res.Body)
	}
	data := res.JSON(t)["data"].(map[string]any)
	if data["refused"] != false || data["executed"] != true || !strings.HasPrefix(data["sql"].(string), "SELECT invoice_id") ||
		data["explanation"] != "Open invoices past their due date." || data["dialect"] != "postgres" {
		t.Fatalf("draft: %s", res.Body)
	}
	if used := data["tables_used"].([]any); len(used) != 1 || used[0] != "finance.invoices" {
		t.Fatalf("tables_used = %v", used)
	}
	if rows := data["rows"].([]any); len(rows) != 1 || rows[0].(map[string]any)["invoice_id"] != 1.0 {
		t.Fatalf("rows = %v", data["rows"])
	}

	res = env.Do(t, http.MethodPost, "/v2/connection/"+id+"/ai/sql", token, map[string]any{"question": "please delete the paid invoices", "execute": true})
	data = res.JSON(t)["data"].(map[string]any)
	if res.Status != 200 || data["refused"] != true || data["executed"] != false || !strings.Contains(data["refusal"].(string), "DELETE") {
		t.Fatalf("write draft: %d %s", res.Status, res.Body)
	}
	check := env.Do(t, http.MethodPost, "/v2/connection/"+id+"/scan", token, map[string]any{"query": "SELECT count(*) AS n FROM finance.invoices"})
	if n := check.JSON(t)["data"].([]any)[0].(map[string]any)["n"]; n != 3.0 {
		t.Fatalf("the refused DELETE ran: %v invoices left", n)
	}

	chat.mu.Lock()
	defer chat.mu.Unlock()
	for _, p := range chat.prompts {
		if strings.Contains(p, "zed.secret@example.com") || !strings.Contains(p, "finance.invoices") || !strings.Contains(p, "postgres") {
			t.Fatalf("prompt holds a row value or lacks the schema: %s", p)
		}
	}
	if res := env.Do(t, http.MethodPost, "/v2/connection/"+id+"/ai/sql", token, map[string]any{"question": strings.Repeat("x", 2001)}); res.Status != 400 {
		t.Fatalf("long question: %d", res.Status)
	}
}

// TestAISQLWithoutLLM answers 503 with the schema context it retrieved.
func TestAISQLWithoutLLM(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	id := createShopConnection(t, env, token, shopDatabase(t))
	res := env.Do(t, http.MethodPost, "/v2/connection/"+id+"/ai/sql", token, map[string]any{"question": "Which bills are overdue?"})
	if res.Status != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "" {
		t.Fatalf("no LLM: %d %v %s", res.Status, res.Header, res.Body)
	}
	e := res.JSON(t)["error"].(map[string]any)
	ctx := e["context"].(map[string]any)
	tables := ctx["tables"].([]any)
	if e["code"] != "not_configured" || ctx["dialect"] != "postgres" || tables[0].(map[string]any)["table"] != "finance.invoices" ||
		!strings.Contains(tables[0].(map[string]any)["schema"].(string), "due_dt date") {
		t.Fatalf("context: %s", res.Body)
	}
}
