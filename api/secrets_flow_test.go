package api_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sluice-dev/sluice/connectors/cube/cubetest"
	"github.com/sluice-dev/sluice/connectors/stripe/stripetest"
	"github.com/sluice-dev/sluice/internal/testenv"
)

// flowRecorder sends requests and keeps every response for the scan.
type flowRecorder struct {
	t         *testing.T
	env       *testenv.Env
	token     string
	responses []string
}

// do sends a request, keeps its response (headers and body) and fails the
// test unless the status is want.
func (r *flowRecorder) do(method, path string, body any, want int) testenv.Response {
	r.t.Helper()
	res := r.env.Do(r.t, method, path, r.token, body)
	r.responses = append(r.responses, fmt.Sprintf("%s %s\n%v\n%s", method, path, res.Header, res.Body))
	if res.Status != want {
		r.t.Fatalf("%s %s: %d, want %d: %s", method, path, res.Status, want, res.Body)
	}
	return res
}

// create creates an integration through the first facade and returns its id.
func (r *flowRecorder) create(typ, name string, credentials map[string]any) string {
	r.t.Helper()
	res := r.do(http.MethodPost, "/v1/api/integrations", map[string]any{"type": typ, "name": name, "credentials": credentials}, http.StatusCreated)
	return res.JSON(r.t)["integration"].(map[string]any)["id"].(string)
}

// refused creates an integration through the second facade whose
// validation must fail, with the given status.
func (r *flowRecorder) refused(typ string, config map[string]any, want int) {
	r.t.Helper()
	r.do(http.MethodPost, "/v2/connection", map[string]any{"type": typ, "name": "refused " + typ, "config": config}, want)
}

// distinctive returns a secret no test fixture or log line could hold by chance.
func distinctive(prefix string) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return strconv.Itoa(port)
}

// bigQueryKey is a service-account key file with a fresh RSA key whose
// token_uri is tokenURI. It returns the file and the secrets inside it that
// must never show: the key id and a line of the private key.
func bigQueryKey(t *testing.T, tokenURI string) (keyFile string, secrets map[string]string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	keyID := distinctive("bqKeyID")
	raw, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "sluice-flow-test", "private_key_id": keyID,
		"private_key": pemText, "client_email": "reader@sluice-flow-test.iam.gserviceaccount.com",
		"client_id": "104729384756102938475", "token_uri": tokenURI,
	})
	return string(raw), map[string]string{"bigquery private_key_id": keyID, "bigquery private key": strings.Split(pemText, "\n")[3]}
}

// refusingTokenEndpoint answers every token request as Google does a key it
// does not know, and counts the requests.
func refusingTokenEndpoint(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error": "invalid_grant", "error_description": "Invalid JWT Signature."}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// TestSecretsNeverLeaveFullFlow creates an integration of every type with
// distinctive secrets — postgres, mysql, cube (an in-process FAKE of Cube's
// REST API) and stripe (a stateful fake of Stripe's lists, which quotes a
// wrong key back as Stripe does) validate for real; a wrong stripe key,
// mysql with a wrong password, sqlserver (no server here: a closed port),
// bigquery (a token endpoint that refuses the key) and snowflake (a key that
// does not parse, so nothing leaves the machine) fail validation — then
// syncs a table (and a Stripe stream) into the lake, queries the
// source, the lake and Cube, scans, discovers, revalidates, and looks for
// every secret in every response, the API's logs, every row of every table
// of sluice's database and every Temporal history on the test's task queue
// and the sync's schedule.
func TestSecretsNeverLeaveFullFlow(t *testing.T) {
	env := testenv.New(t)
	r := &flowRecorder{t: t, env: env, token: env.Token(t, "acme")}
	secrets := map[string]string{
		"postgres password":    distinctive("pgFlow"),
		"mysql password":       distinctive("myFlow"),
		"wrong mysql password": distinctive("myWrong"),
		"sqlserver password":   distinctive("ssFlow"),
		"snowflake password":   distinctive("sfFlow"),
		"cube token":           distinctive("cubeFlow"),
		"stripe key":           distinctive("sk_test_stripeFlow"),
		"wrong stripe key":     distinctive("sk_test_stripeWrong"),
	}
	snowflakeKey := base64.StdEncoding.EncodeToString([]byte(distinctive("sfKey") + strings.Repeat("-not-a-der-key", 4)))
	secrets["snowflake private key"] = snowflakeKey
	tokens, tokenCalls := refusingTokenEndpoint(t)
	bqKeyFile, bqSecrets := bigQueryKey(t, tokens.URL+"/token")
	for name, value := range bqSecrets {
		secrets[name] = value
	}
	cubeSrv := httptest.NewServer(&cubetest.Server{Token: secrets["cube token"]})
	t.Cleanup(cubeSrv.Close)
	stripeFake := &stripetest.Server{Key: secrets["stripe key"]} // quotes a wrong key back, as Stripe does
	stripeFake.Add("/v1/customers", map[string]any{"id": "cus_flow", "object": "customer", "created": int64(1_700_000_000)})
	stripeSrv := httptest.NewServer(stripeFake)
	t.Cleanup(stripeSrv.Close)
	schema := testenv.PostgresSchema(t, `CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL);
		INSERT INTO people SELECT g, 'person ' || g FROM generate_series(1, 50) g;`)
	validations := 0

	// Integrations that validate for real.
	pgID := r.create("postgres", "Flow Postgres", testenv.PostgresCredentials(secrets["postgres password"]))
	myCreds := testenv.MySQLUser(t, secrets["mysql password"])
	myID := r.create("mysql", "Flow MySQL", myCreds)
	cubeID := r.create("cube", "Flow Cube", map[string]any{"api_url": cubeSrv.URL + "/cubejs-api/v1", "token": secrets["cube token"]})
	stripeID := r.create("stripe", "Flow Stripe", map[string]any{"api_key": secrets["stripe key"], "api_base": stripeSrv.URL})
	validations += 4

	// Validations that fail on purpose.
	wrong := map[string]any{}
	for k, v := range myCreds {
		wrong[k] = v
	}
	wrong["password"] = secrets["wrong mysql password"]
	r.refused("mysql", wrong, http.StatusUnprocessableEntity)
	r.refused("sqlserver", map[string]any{"host": "127.0.0.1", "port": closedPort(t), "database": "master",
		"username": "sa", "password": secrets["sqlserver password"], "encrypt": "disable"}, http.StatusUnprocessableEntity)
	r.refused("bigquery", map[string]any{"project_id": "sluice-flow-test", "credentials_json": bqKeyFile}, http.StatusUnprocessableEntity)
	r.refused("snowflake", map[string]any{"account": "sluice-flow-test", "username": "reader", "warehouse": "wh", "database": "db",
		"password": secrets["snowflake password"], "private_key": "-----BEGIN PRIVATE KEY-----\n" + snowflakeKey + "\n-----END PRIVATE KEY-----"},
		http.StatusUnprocessableEntity)
	r.refused("stripe", map[string]any{"api_key": secrets["wrong stripe key"], "api_base": stripeSrv.URL}, http.StatusUnprocessableEntity)
	validations += 5
	if tokenCalls.Load() == 0 {
		t.Fatal("the bigquery validation never reached the token endpoint, so its key was never used")
	}

	// Reads, discovery and a revalidation that keeps the stored secret.
	r.do(http.MethodGet, "/v1/api/integrations", nil, http.StatusOK)
	r.do(http.MethodGet, "/v2/connection", nil, http.StatusOK)
	for _, id := range []string{pgID, myID, cubeID, stripeID} {
		r.do(http.MethodGet, "/v1/api/integrations/"+id, nil, http.StatusOK)
		r.do(http.MethodGet, "/v2/connection/"+id, nil, http.StatusOK)
	}
	r.do(http.MethodGet, "/v1/api/integrations/"+pgID+"/schema", nil, http.StatusOK)
	r.do(http.MethodGet, "/v2/connection/"+myID+"/schema", nil, http.StatusOK)
	r.do(http.MethodPut, "/v1/api/integrations/"+myID, map[string]any{"credentials": map[string]any{"password": "********"}}, http.StatusOK)
	validations++

	// A sync of a small table into the lake.
	f := syncFixture{env: env, token: r.token, id: pgID, schema: schema}
	cfg := r.do(http.MethodPost, "/v1/api/integrations/"+pgID+"/sync", map[string]any{
		"dest_schema": "FLOW_DATA", "schedule": "daily", "load_method": "merge", "tables": []any{schema + ".people"},
	}, http.StatusOK).JSON(t)["sync_config"].(map[string]any)
	run := f.runAndWait(t, "/v1/api/integrations/"+pgID+"/sync/run", nil)
	if run["status"] != "succeeded" {
		t.Fatalf("sync run: %v", run)
	}
	r.do(http.MethodGet, "/v1/api/syncs/"+run["id"].(string), nil, http.StatusOK)
	r.do(http.MethodGet, "/v1/api/integrations/"+pgID+"/syncs", nil, http.StatusOK)
	stripeSync := syncFixture{env: env, token: r.token, id: stripeID}
	r.do(http.MethodPost, "/v1/api/integrations/"+stripeID+"/sync", map[string]any{
		"dest_schema": "FLOW_STRIPE", "schedule": "daily", "load_method": "merge", "tables": []any{"stripe.customers"},
	}, http.StatusOK)
	if run := stripeSync.runAndWait(t, "/v1/api/integrations/"+stripeID+"/sync/run", nil); run["status"] != "succeeded" {
		t.Fatalf("stripe sync run: %v", run)
	}
	r.do(http.MethodGet, "/v1/api/integrations/"+stripeID+"/schema", nil, http.StatusOK)

	// Queries of the source, the lake and Cube, and a scan.
	r.do(http.MethodPost, "/v1/query", map[string]any{"integration_id": pgID, "sql": "SELECT count(*) AS n FROM " + schema + ".people"}, http.StatusOK)
	r.do(http.MethodPost, "/v1/query", map[string]any{"integration_id": myID, "sql": "SELECT count(*) AS n FROM probe"}, http.StatusOK)
	lake := r.do(http.MethodPost, "/v1/query", map[string]any{"sql": "SELECT count(*) AS n FROM FLOW_DATA.people"}, http.StatusOK)
	if n := lake.JSON(t)["data"].([]any)[0].(map[string]any)["n"]; n != 50.0 {
		t.Fatalf("lake has %v rows, want 50", n)
	}
	r.do(http.MethodPost, "/v1/query", `{"integration_id": "`+cubeID+`", "cube_query": `+seedCubeQuery+`}`, http.StatusOK)
	r.do(http.MethodPost, "/v2/connection/"+pgID+"/scan", map[string]any{"query": "SELECT id, name FROM " + schema + ".people ORDER BY id"}, http.StatusOK)
	r.do(http.MethodPost, "/v2/connection/"+myID+"/scan", map[string]any{"query": "SELECT id FROM probe"}, http.StatusOK)
	r.do(http.MethodPost, "/v1/query", map[string]any{"integration_id": stripeID, "sql": "SELECT 1"}, http.StatusUnprocessableEntity)

	// The scan, with a control per place: something known to be there must
	// be found, or the place was not really read.
	scan := &secretScan{t: t, secrets: secrets}
	for i, res := range r.responses {
		scan.check(fmt.Sprintf("response %d", i), res)
	}
	scan.check("API logs", env.Logs.String())
	dump := dumpDatabase(t, env)
	if !strings.Contains(dump["public.integrations"], "Flow MySQL") || !strings.Contains(dump["public.sync_runs"], run["id"].(string)) {
		t.Fatal("the database dump misses rows the flow wrote")
	}
	if !strings.Contains(strings.Join(mapValues(dump), "\n"), "FLOW_DATA") {
		t.Fatal("the database dump misses the lake catalog")
	}
	for table, rows := range dump {
		scan.check("table "+table, rows)
	}
	histories := workflowHistories(t, env, "TaskQueue = '"+env.TaskQueue+"'", validations+1, "")
	sawSync := false
	for id, h := range histories {
		sawSync = sawSync || strings.HasPrefix(id, "sync/")
		scan.check("Temporal history of "+id, h)
	}
	if !sawSync || !strings.Contains(strings.Join(mapValues(histories), "\n"), `"integration_id"`) {
		t.Fatalf("the histories read (%d) miss the sync or decoded inputs", len(histories))
	}
	for id, action := range scheduleActions(t, env, cfg["schedule_id"].(string)) {
		scan.check("Temporal schedule "+id, action)
	}
	t.Logf("scanned %d texts (%d responses, %d tables, %d workflow histories) for %d secrets",
		scan.scanned, len(r.responses), len(dump), len(histories), len(secrets))
}

// mapValues returns a map's values in no particular order.
func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
