package bigquery

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"sync"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/netguard"
)

var (
	keysOnce             sync.Once
	trustedKey, rogueKey *rsa.PrivateKey
)

// testKeys returns two RSA keys: the fake trusts only the first.
func testKeys(t *testing.T) (trusted, rogue *rsa.PrivateKey) {
	keysOnce.Do(func() {
		var err error
		if trustedKey, err = rsa.GenerateKey(rand.Reader, 2048); err == nil {
			rogueKey, err = rsa.GenerateKey(rand.Reader, 2048)
		}
		if err != nil {
			t.Fatal(err)
		}
	})
	return trustedKey, rogueKey
}

// keyJSON is a service-account key file shaped like the ones Google Cloud
// issues, with a freshly generated key and the fake's token endpoint.
func keyJSON(t *testing.T, key *rsa.PrivateKey, clientEmail, tokenURI string) string {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]string{
		"type":                        "service_account",
		"project_id":                  "sluice-test-1",
		"private_key_id":              "5f0c2a8e9d1b4c7a3e6f0b2d4a8c1e3f5a7b9c0d",
		"private_key":                 string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":                clientEmail,
		"client_id":                   "104729384756102938475",
		"auth_uri":                    "https://accounts.google.com/o/oauth2/auth",
		"token_uri":                   tokenURI,
		"auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
		"client_x509_cert_url":        "https://www.googleapis.com/robot/v1/metadata/x509/reader%40sluice-test-1.iam.gserviceaccount.com",
		"universe_domain":             "googleapis.com",
	})
	return string(b)
}

func credsFor(t *testing.T, values map[string]any) connectors.Credentials {
	t.Helper()
	spec, _ := connectors.Lookup("bigquery")
	config, secrets, err := spec.Normalize(values)
	if err != nil {
		t.Fatal(err)
	}
	return connectors.NewCredentials(spec, connectors.MergeValues(config, secrets))
}

// connectFake opens a connector on the fake, signing with key. Loopback is
// allowed for the test: the fake listens there.
func connectFake(t *testing.T, f *fakeBigQuery, key *rsa.PrivateKey) *Connector {
	t.Helper()
	return connectWith(t, f, key, settings{})
}

// connectWith is connectFake with settings: s.endpoint is always the fake's.
func connectWith(t *testing.T, f *fakeBigQuery, key *rsa.PrivateKey, s settings) *Connector {
	t.Helper()
	netguard.SetAllowPrivate(true)
	t.Cleanup(func() { netguard.SetAllowPrivate(false) })
	values := map[string]any{"project_id": f.project, "credentials_json": keyJSON(t, key, f.clientEmail, f.srv.URL+"/token")}
	if f.location != "" {
		values["location"] = f.location
	}
	s.endpoint = f.srv.URL + "/bigquery/v2/"
	c, err := newConnector(context.Background(), credsFor(t, values), s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// field builds a TableFieldSchema as the API sends it.
func field(name, typ string, extra ...any) map[string]any {
	f := map[string]any{"name": name, "type": typ, "mode": "NULLABLE"}
	for i := 0; i+1 < len(extra); i += 2 {
		f[extra[i].(string)] = extra[i+1]
	}
	return f
}

// ordersFields is the schema of sales.orders, one column per kind of value.
var ordersFields = []map[string]any{
	field("id", "INTEGER", "mode", "REQUIRED"),
	field("ratio", "FLOAT"),
	field("amount", "NUMERIC", "precision", "12", "scale", "3"),
	field("flag", "BOOLEAN"),
	field("day", "DATE"),
	field("label", "STRING", "maxLength", "40", "description", "what was sold"),
	field("doc", "JSON"),
	field("raw", "BYTES"),
	field("at", "TIMESTAMP"),
	field("local_at", "DATETIME"),
	field("tags", "INTEGER", "mode", "REPEATED"),
	field("buyer", "RECORD", "fields", []any{field("name", "STRING"), field("since", "DATE")}),
	field("big", "BIGNUMERIC"),
}

// ordersRows are sales.orders' rows in the wire format (TIMESTAMP as int64
// microseconds, because the client asks for formatOptions.useInt64Timestamp).
var ordersRows = [][]any{
	{"1", "0.25", "123456789.123", "true", "2024-02-29", "héllo, 'world'", `{"k":[1,2]}`, "AAH/",
		"1704164645000000", "2024-01-02T03:04:05.5", array("1", "2"), record("Ada", "2020-01-01"), "1.5"},
	{"2", "-1.5", "-0.001", "false", "1999-12-31", "second", "[]", "", "1000000", "1970-01-01T00:00:01", array(), record(nil, nil), "0"},
	{"3", nil, nil, nil, nil, "nulls", nil, nil, nil, nil, array(), nil, nil},
}

// salesFake is a fake holding a project with two datasets.
func salesFake(t *testing.T) *fakeBigQuery {
	trusted, _ := testKeys(t)
	f := newFakeBigQuery(t, &trusted.PublicKey)
	f.location = "EU"
	f.datasets["sales"] = map[string]fakeTable{
		"orders": {kind: "TABLE", numRows: 3, numBytes: 1 << 10, description: "one row per order", fields: ordersFields,
			primaryKey: []string{"id"}, rows: ordersRows},
		"v_orders": {kind: "VIEW", fields: ordersFields[:2]},
	}
	f.datasets["analytics"] = map[string]fakeTable{
		"daily": {kind: "MATERIALIZED_VIEW", numRows: 7, fields: ordersFields[:1]},
		"logs":  {kind: "EXTERNAL", fields: ordersFields[:1]},
	}
	f.queries["SELECT 1"] = fakeQuery{statementType: "SELECT", fields: []map[string]any{field("f0_", "INTEGER")}, rows: [][]any{{"1"}}}
	return f
}
