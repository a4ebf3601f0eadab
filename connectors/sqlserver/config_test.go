package sqlserver

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	mssql "github.com/microsoft/go-mssqldb"
	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/netguard"
)

func credsFor(t *testing.T, values map[string]any) connectors.Credentials {
	t.Helper()
	spec, ok := connectors.Lookup("sqlserver")
	if !ok {
		t.Fatal("sqlserver is not in the catalog")
	}
	config, secrets, err := spec.Normalize(values)
	if err != nil {
		t.Fatal(err)
	}
	return connectors.NewCredentials(spec, connectors.MergeValues(config, secrets))
}

// TestConfigEscapesEveryValue checks that values with the characters that
// end or restructure an ADO or URL connection string reach the driver intact.
func TestConfigEscapesEveryValue(t *testing.T) {
	password := `p;w}d@x:y/z%20?#{Encrypt=false} é`
	creds := credsFor(t, map[string]any{
		"host": "db.example.com", "port": 14330, "database": "sales;Encrypt=false&x=1",
		"username": `dom@in;user`, "password": password,
	})
	cfg, err := config(creds)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Password != password || cfg.User != `dom@in;user` || cfg.Database != "sales;Encrypt=false&x=1" {
		t.Fatalf("config = user %q password %q database %q", cfg.User, cfg.Password, cfg.Database)
	}
	if cfg.Host != "db.example.com" || cfg.Port != 14330 {
		t.Fatalf("address = %s:%d", cfg.Host, cfg.Port)
	}
	if cfg.Encryption != msdsn.EncryptionRequired || cfg.TrustServerCertificate {
		t.Fatalf("encryption = %v, trust = %v; want required and verified by default", cfg.Encryption, cfg.TrustServerCertificate)
	}
	if !cfg.ReadOnlyIntent || cfg.AppName != "sluice" {
		t.Fatalf("read-only intent = %v, app name = %q", cfg.ReadOnlyIntent, cfg.AppName)
	}
}

func TestConfigOptions(t *testing.T) {
	cfg, err := config(credsFor(t, map[string]any{
		"host": "10.0.0.5", "database": "d", "username": "u", "password": "p",
		"encrypt": "strict", "trust_server_certificate": true,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 1433 || cfg.Encryption != msdsn.EncryptionStrict {
		t.Fatalf("port %d encryption %v", cfg.Port, cfg.Encryption)
	}
	if _, err := config(credsFor(t, map[string]any{"host": `srv\SQLEXPRESS`, "database": "d", "username": "u"})); err == nil {
		t.Fatal("a named instance was accepted; it would be located over UDP outside sluice's control")
	}
}

// TestDialsThroughNetguard proves the driver's connections go through the
// network guard: with private networks refused, a listener on loopback is
// never reached and the refusal surfaces as a connect-step error.
func TestDialsThroughNetguard(t *testing.T) {
	netguard.SetAllowPrivate(false)
	t.Cleanup(func() { netguard.SetAllowPrivate(false) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int32
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			conn.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	c, err := New(credsFor(t, map[string]any{"host": "127.0.0.1", "port": port, "database": "d", "username": "u", "password": "secret-pw"}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	_, err = c.Validate(context.Background())
	var stepErr *connectors.StepError
	if !errors.As(err, &stepErr) || stepErr.Step != connectors.StepConnect || !strings.Contains(stepErr.Message, "does not connect there") {
		t.Fatalf("validate = %v, want a connect StepError from the network guard", err)
	}
	if n := accepted.Load(); n != 0 {
		t.Fatalf("the listener accepted %d connections; the driver dialed around the guard", n)
	}
}

func TestLoginStep(t *testing.T) {
	cases := map[int32]string{18456: connectors.StepAuthenticate, 18488: connectors.StepAuthenticate,
		4060: connectors.StepPermissions, 40615: connectors.StepConnect}
	for number, want := range cases {
		if got := loginStep(mssql.Error{Number: number, Message: "m"}); got != want {
			t.Errorf("error %d: step %s, want %s", number, got, want)
		}
	}
	if got := loginStep(&net.OpError{Op: "dial", Err: errors.New("connection refused")}); got != connectors.StepConnect {
		t.Errorf("network error: step %s", got)
	}
}
