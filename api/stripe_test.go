package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors/stripe/stripetest"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/netguard"
	"github.com/sluice-dev/sluice/worker"
	"github.com/sluice-dev/sluice/workflows"
)

// createStripe registers a stripe integration and returns its id.
func createStripe(t *testing.T, env *testenv.Env, token, base, key string) string {
	t.Helper()
	res := env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{
		"type": "stripe", "name": "Our Stripe", "credentials": map[string]any{"api_key": key, "api_base": base},
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("create stripe integration: %d %s", res.Status, res.Body)
	}
	created := res.JSON(t)["integration"].(map[string]any)
	if created["credentials"].(map[string]any)["api_key"] != "********" || strings.Contains(string(res.Body), key) {
		t.Fatalf("the key shows in the answer: %s", res.Body)
	}
	return created["id"].(string)
}

// TestStripeIntegrationSyncsIntoTheLake runs against stripe-mock (Stripe's
// own mock from its OpenAPI spec): creating the integration validates the
// key by a real call, /schema lists the streams with typed columns, a sync
// of several streams lands their rows in the lake with those types, and SQL
// on the integration itself is refused. stripe-mock keeps no state (each
// list is one fixture object, filters ignored), so incremental runs and
// changes are shown against stripetest.Server below.
func TestStripeIntegrationSyncsIntoTheLake(t *testing.T) {
	base := stripetest.Mock(t)
	f := syncFixture{env: testenv.New(t)}
	f.token = f.env.Token(t, "acme")
	f.id = createStripe(t, f.env, f.token, base, stripetest.MockKey)

	schema := f.env.Do(t, http.MethodGet, "/v1/api/integrations/"+f.id+"/schema", f.token, nil)
	if schema.Status != http.StatusOK || !strings.Contains(string(schema.Body), `"stripe"`) || !strings.Contains(string(schema.Body), "balance_transactions") {
		t.Fatalf("schema: %d %s", schema.Status, schema.Body)
	}
	charges := f.env.Do(t, http.MethodGet, "/v1/api/integrations/"+f.id+"/schema/stripe.charges", f.token, nil)
	for _, want := range []string{`"name":"amount","source_type":"int","type":"int"`, `"name":"created","source_type":"unix_time","type":"timestamptz"`, `"name":"metadata","source_type":"json","type":"json"`, `"primary_key":true`} {
		if !strings.Contains(string(charges.Body), want) {
			t.Fatalf("stripe.charges lacks %s: %s", want, charges.Body)
		}
	}

	f.configured(t, map[string]any{"dest_schema": "STRIPE", "schedule": "daily", "load_method": "merge", "tables": []any{
		map[string]any{"name": "stripe.customers", "cursor_field": "created"}, "stripe.charges", "stripe.invoices", "stripe.subscriptions", "stripe.balance_transactions"}})
	run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	if run["status"] != "succeeded" || len(runTables(run)) != 5 {
		t.Fatalf("sync run: %v", run)
	}
	row := f.lakeRow(t, `SELECT typeof(amount) AS amount, typeof(created) AS created, typeof(metadata) AS metadata, typeof(paid) AS paid, count(*) AS n FROM STRIPE.charges GROUP BY ALL`)
	if row["amount"] != "BIGINT" || row["created"] != "TIMESTAMP WITH TIME ZONE" || row["metadata"] != "JSON" || row["paid"] != "BOOLEAN" || normalizeNumber(row["n"]) != 1.0 {
		t.Fatalf("stripe.charges in the lake: %v", row)
	}
	if row := f.lakeRow(t, `SELECT count(*) AS n, min(id) AS id FROM STRIPE.customers`); normalizeNumber(row["n"]) != 1.0 || !strings.HasPrefix(row["id"].(string), "cus_") {
		t.Fatalf("stripe.customers in the lake: %v", row)
	}

	for _, refused := range []struct{ path, body string }{
		{"/v1/query", `{"integration_id": "` + f.id + `", "sql": "SELECT 1"}`},
		{"/v2/connection/" + f.id + "/scan", `{"query": "SELECT * FROM customers"}`},
		{"/v1/query", `{"integration_id": "` + f.id + `", "cube_query": {"measures": ["customers.count"]}}`},
	} {
		res := f.env.Do(t, http.MethodPost, refused.path, f.token, refused.body)
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "not_supported") || !strings.Contains(string(res.Body), "lake") {
			t.Fatalf("%s on a stripe integration: %d %s", refused.path, res.Status, res.Body)
		}
	}
	if res := f.env.Do(t, http.MethodPut, "/v1/api/integrations/"+f.id+"/models", f.token, dealsModel); res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "ducklake") {
		t.Fatalf("a model for a stripe integration: %d %s", res.Status, res.Body)
	}
	if strings.Contains(f.env.Logs.String(), stripetest.MockKey) {
		t.Fatal("the Stripe key is in the logs")
	}
}

// TestStripeIntegrationRefusesBadCredentials: a key Stripe refuses, an
// api_base nothing answers at, and one that is not a URL all answer 422
// naming the step, never 500, never quoting the key.
func TestStripeIntegrationRefusesBadCredentials(t *testing.T) {
	srv := &stripetest.Server{Key: "sk_test_theRightOne"}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	env := testenv.New(t)
	token := env.Token(t, "acme")
	const wrong = "sk_test_wrongKeyQuotedBack"
	for _, tc := range []struct{ base, key, step string }{
		{hs.URL, wrong, "authenticate"},
		{closed.URL, wrong, "connect"},
		{"ftp://" + wrong, wrong, "config"},
	} {
		res := env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{
			"type": "stripe", "credentials": map[string]any{"api_key": tc.key, "api_base": tc.base}})
		if res.Status != http.StatusUnprocessableEntity || strings.Contains(string(res.Body), wrong) {
			t.Fatalf("%s: %d %s", tc.base, res.Status, res.Body)
		}
		if step := res.JSON(t)["error"].(map[string]any)["step"]; step != tc.step {
			t.Fatalf("%s: step %v, want %s: %s", tc.base, step, tc.step, res.Body)
		}
	}
	// api_base goes through the network guard: cloud metadata never, loopback
	// only when private networks are allowed.
	create := func(base string) testenv.Response {
		return env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{
			"type": "stripe", "credentials": map[string]any{"api_key": "sk_test_theRightOne", "api_base": base}})
	}
	if res := create("http://169.254.169.254"); res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "link-local") {
		t.Fatalf("a metadata api_base: %d %s", res.Status, res.Body)
	}
	netguard.SetAllowPrivate(false)
	res := create(hs.URL)
	netguard.SetAllowPrivate(true)
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "SLUICE_ALLOW_PRIVATE_NETWORKS") {
		t.Fatalf("a loopback api_base with private networks refused: %d %s", res.Status, res.Body)
	}
	if res := create(hs.URL); res.Status != http.StatusCreated {
		t.Fatalf("the same with private networks allowed: %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{"type": "stripe", "credentials": map[string]any{}}); res.Status != http.StatusBadRequest {
		t.Fatalf("no api_key: %d %s", res.Status, res.Body)
	}
	if strings.Contains(env.Logs.String(), wrong) {
		t.Fatal("the key is in the logs")
	}
}

// TestStripeIncrementalSyncMergesChanges: against the stateful fake, a
// second run reads only customers created since the first and, through
// /v1/events, the latest state of older ones that changed: the lake ends
// with every customer once, changes applied.
func TestStripeIncrementalSyncMergesChanges(t *testing.T) {
	const key = "sk_test_fakeStripeKey"
	srv := &stripetest.Server{Key: key}
	for i := range 150 {
		srv.Add("/v1/customers", map[string]any{"id": fmt.Sprintf("cus_%04d", i), "object": "customer", "created": int64(1_700_000_000 + i),
			"email": fmt.Sprintf("c%d@example.com", i), "balance": i * 100})
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	f := syncFixture{env: testenv.New(t)}
	f.token = f.env.Token(t, "acme")
	f.id = createStripe(t, f.env, f.token, hs.URL, key)
	f.configured(t, map[string]any{"dest_schema": "S", "schedule": "daily", "load_method": "merge",
		"tables": []any{map[string]any{"name": "stripe.customers", "cursor_field": "created"}}})
	srv.Throttle.Store(1) // the first page is rate limited once
	if run := f.run(t); runTables(run)["stripe.customers"]["rows_read"] != 150.0 || srv.Throttled.Load() != 1 {
		t.Fatalf("first run (%d answers 429): %v", srv.Throttled.Load(), run)
	}
	srv.Change("/v1/customers", "cus_0007", "updated", 1_700_000_500, map[string]any{"email": "changed@example.com"})
	srv.Add("/v1/customers", map[string]any{"id": "cus_new", "object": "customer", "created": int64(1_700_000_600), "email": "new@example.com"})
	if run := f.run(t); runTables(run)["stripe.customers"]["rows_read"] != 2.0 {
		t.Fatalf("second run read %v rows, want the new customer and the changed one: %v", runTables(run)["stripe.customers"]["rows_read"], run)
	}
	row := f.lakeRow(t, `SELECT count(*) AS n, count(DISTINCT id) AS keys, max(CASE WHEN id = 'cus_0007' THEN email END) AS changed,
		max(CASE WHEN id = 'cus_new' THEN email END) AS added, sum(balance) AS balance FROM S.customers`)
	if normalizeNumber(row["n"]) != 151.0 || normalizeNumber(row["keys"]) != 151.0 || row["changed"] != "changed@example.com" || row["added"] != "new@example.com" {
		t.Fatalf("lake after the incremental run: %v", row)
	}
}

// run starts a run and fails the test unless it succeeds.
func (f syncFixture) run(t *testing.T) map[string]any {
	t.Helper()
	run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	if run["status"] != "succeeded" {
		t.Fatalf("run: %v", run)
	}
	return run
}

// TestStripeCopyResumesFromTheLastPage: the fake stops answering in the
// middle of a stream (its third page hangs); the copy's source watch fails
// the attempt and Temporal retries it from the last heartbeat that reached
// it, which holds the resume point of a page before (the first or the
// second: the SDK throttles heartbeats, so the newest may not have been
// sent): the retry asks for the page after that point, not for the first
// page, and the lake ends with every customer once.
func TestStripeCopyResumesFromTheLastPage(t *testing.T) {
	const key = "sk_test_resumeKey"
	srv := &stripetest.Server{Key: key}
	for i := range 350 {
		srv.Add("/v1/customers", map[string]any{"id": fmt.Sprintf("cus_%04d", i), "object": "customer", "created": int64(1_700_000_000 + i)})
	}
	third := "starting_after=cus_0150" // newest first: pages end at cus_0250, cus_0150, cus_0050
	srv.StallOnce(third)
	hs := httptest.NewServer(srv)
	defer hs.Close()
	env := testenv.NewWithWorker(t, func(d *worker.Deps) {
		d.Workflows = workflows.Options{CopyHeartbeatTimeout: 2 * time.Second}
		d.CopyChunkRows = 100
	})
	f := syncFixture{env: env, token: env.Token(t, "acme")}
	f.id = createStripe(t, env, f.token, hs.URL, key)
	f.configured(t, map[string]any{"dest_schema": "R", "schedule": "daily", "load_method": "merge", "delete_mode": "keep", "tables": []any{"stripe.customers"}})
	table := runTables(f.run(t))["stripe.customers"]
	var lists []string
	firstPages := 0
	for _, q := range srv.Queries() {
		if strings.HasPrefix(q, "/v1/customers?") && strings.Contains(q, "limit=100") {
			lists = append(lists, q)
			if !strings.Contains(q, "starting_after=") {
				firstPages++
			}
		}
	}
	if len(lists) < 5 || !strings.Contains(lists[2], third) || !strings.Contains(lists[3], "starting_after=") || firstPages != 1 {
		t.Fatalf("list requests: %v (want pages 1, 2, 3 hanging, then on from a resume point, never page 1 again)", lists)
	}
	if table["rows_read"] != 350.0 {
		t.Fatalf("table: %v", table)
	}
	if row := f.lakeRow(t, `SELECT count(*) AS n, count(DISTINCT id) AS keys FROM R.customers`); normalizeNumber(row["n"]) != 350.0 || normalizeNumber(row["keys"]) != 350.0 {
		t.Fatalf("lake after the resumed copy: %v", row)
	}
}
