package snowflake

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/netguard"
)

// loginEndpoint stands in for Snowflake's login endpoint
// (POST /session/v1/login-request) only as far as refusing a login goes: it
// checks the credentials the driver presents — the password, or a JWT signed
// with the user's key — and answers with the given Snowflake error. It shows
// that the driver's traffic goes through sluice's transport and how refusals
// are classified; it does not pretend to run queries.
type loginEndpoint struct {
	t        *testing.T
	srv      *httptest.Server
	key      *rsa.PublicKey
	password string
	code     string
	message  string
	logins   atomic.Int32
}

func newLoginEndpoint(t *testing.T) *loginEndpoint {
	e := &loginEndpoint{t: t}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/session/v1/login-request" {
			http.NotFound(w, r)
			return
		}
		e.logins.Add(1)
		var body struct {
			Data map[string]any `json:"data"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			e.t.Errorf("login request body: %v", err)
		}
		e.check(body.Data)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"success": false, "code": e.code, "message": e.message, "data": nil})
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *loginEndpoint) check(data map[string]any) {
	if e.key == nil {
		if data["LOGIN_NAME"] != "SLUICE_READER" || data["PASSWORD"] != e.password {
			e.t.Errorf("LOGIN_NAME = %v, PASSWORD = %v", data["LOGIN_NAME"], data["PASSWORD"])
		}
		return
	}
	token, _ := data["TOKEN"].(string)
	parts := strings.Split(token, ".")
	if data["AUTHENTICATOR"] != "SNOWFLAKE_JWT" || len(parts) != 3 {
		e.t.Errorf("AUTHENTICATOR = %v, TOKEN = %q", data["AUTHENTICATOR"], token)
		return
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(e.key, crypto.SHA256, digest[:], sig); err != nil {
		e.t.Errorf("the JWT is not signed with the user's key: %v", err)
	}
	// The issuer names the account, the user and the public key's fingerprint.
	der, _ := x509.MarshalPKIXPublicKey(e.key)
	fp := sha256.Sum256(der)
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if !strings.Contains(string(claims), "MYORG-MYACCOUNT.SLUICE_READER.SHA256:"+base64.StdEncoding.EncodeToString(fp[:])) {
		e.t.Errorf("JWT claims = %s", claims)
	}
}

// connectorAt builds a connector whose driver talks to the endpoint.
func (e *loginEndpoint) connectorAt(t *testing.T, values map[string]string) *Connector {
	t.Helper()
	cfg, err := buildConfig(lookup(values))
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(e.srv.URL, "http://"))
	cfg.Host, cfg.Protocol = host, "http"
	cfg.Port, _ = strconv.Atoi(port)
	spec, _ := connectors.Lookup("snowflake")
	anyValues := map[string]any{}
	for k, v := range values {
		anyValues[k] = v
	}
	c := &Connector{creds: connectors.NewCredentials(spec, anyValues), cfg: cfg, db: sql.OpenDB(sf.NewConnector(sf.SnowflakeDriver{}, *cfg))}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

var loginValues = map[string]string{"account": "myorg-myaccount", "username": "SLUICE_READER",
	"warehouse": "REPORTING_WH", "database": "ANALYTICS"}

func with(extra map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range loginValues {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// TestLoginGoesThroughNetguard: with private networks refused, the driver
// never reaches the endpoint on loopback. The up-front check refuses at once
// with the guard's message; past it, the transport refuses every dial.
func TestLoginGoesThroughNetguard(t *testing.T) {
	netguard.SetAllowPrivate(false)
	e := newLoginEndpoint(t)
	c := e.connectorAt(t, with(map[string]string{"password": "hunter2-secret"}))
	_, err := c.Validate(context.Background())
	var stepErr *connectors.StepError
	if !errors.As(err, &stepErr) || stepErr.Step != connectors.StepConnect || !strings.Contains(stepErr.Message, "does not connect there") {
		t.Fatalf("validate: %v, want a connect StepError from the network guard", err)
	}
	c.hostChecked.Store(true) // as if the name had resolved elsewhere before
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := c.Validate(ctx); err == nil {
		t.Fatal("validate past the up-front check succeeded")
	}
	if n := e.logins.Load(); n != 0 {
		t.Fatalf("the endpoint saw %d logins; the driver dialed around the guard", n)
	}
}

func TestRefusedLogins(t *testing.T) {
	netguard.SetAllowPrivate(true)
	t.Cleanup(func() { netguard.SetAllowPrivate(false) })
	key := rsaKey(t)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	cases := []struct {
		name, code, message, step string
		values                    map[string]string
		pub                       *rsa.PublicKey
	}{
		{"wrong password", "390100", "Incorrect username or password was specified.", connectors.StepAuthenticate,
			with(map[string]string{"password": "hunter2-secret"}), nil},
		{"unknown public key", "390144", "JWT token is invalid.", connectors.StepAuthenticate,
			with(map[string]string{"private_key": pemKey(t, "PRIVATE KEY", pkcs8)}), &key.PublicKey},
		{"role not granted", "390189", "Role 'ADMIN' specified in the connect string is not granted to this user.", connectors.StepPermissions,
			with(map[string]string{"password": "hunter2-secret", "role": "ADMIN"}), nil},
	}
	for _, c := range cases {
		e := newLoginEndpoint(t)
		e.code, e.message, e.key, e.password = c.code, c.message, c.pub, c.values["password"]
		_, err := e.connectorAt(t, c.values).Validate(context.Background())
		var stepErr *connectors.StepError
		if !errors.As(err, &stepErr) || stepErr.Step != c.step || !strings.Contains(stepErr.Message, c.message) {
			t.Errorf("%s: %v, want a %s StepError with Snowflake's message", c.name, err, c.step)
			continue
		}
		if strings.Contains(stepErr.Message, "hunter2-secret") {
			t.Errorf("%s: the message contains the password", c.name)
		}
	}
}
