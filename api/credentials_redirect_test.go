package api_test

import (
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// trapListener listens on a new loopback port and counts every connection it
// receives; a PUT that is refused must not make one.
func trapListener(t *testing.T) (port string, accepted *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted = new(atomic.Int32)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	_, port, _ = net.SplitHostPort(ln.Addr().String())
	return port, accepted
}

// TestChangingDestinationRequiresSecretsAgain: a PUT that moves a connection
// to another host or port while sending the secret marker (or no password)
// was validated with the stored password, which then went to the new host in
// clear text. It must be refused with 400 naming the password, before any
// connection is made, on both facades.
func TestChangingDestinationRequiresSecretsAgain(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	id := createPostgres(t, env, token, "stored-password")
	port, accepted := trapListener(t)

	cases := []struct {
		name, path string
		body       map[string]any
	}{
		{"definite marker", "/v1/api/integrations/" + id, map[string]any{"credentials": map[string]any{"port": port, "password": "********"}}},
		{"definite omitted", "/v1/api/integrations/" + id, map[string]any{"credentials": map[string]any{"port": port}}},
		{"definite host", "/v1/api/integrations/" + id, map[string]any{"credentials": map[string]any{"host": "localhost", "port": port}}},
		{"lytics marker", "/v2/connection/" + id, map[string]any{"config": map[string]any{"port": port, "password": "********"}}},
		{"lytics omitted", "/v2/connection/" + id, map[string]any{"config": map[string]any{"port": port}}},
		{"lytics database", "/v2/connection/" + id, map[string]any{"config": map[string]any{"database": "other"}}},
		{"tls mode", "/v2/connection/" + id, map[string]any{"config": map[string]any{"sslmode": "require", "password": "********"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(t, http.MethodPut, tc.path, token, tc.body)
			if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "credentials.password") {
				t.Fatalf("PUT %v: %d %s; want 400 naming credentials.password", tc.body, res.Status, res.Body)
			}
		})
	}
	// A value that is wrong in itself is named as such, not as a missing password.
	if res := env.Do(t, http.MethodPut, "/v1/api/integrations/"+id, token, map[string]any{"credentials": map[string]any{"port": "abc"}}); res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "credentials.port") {
		t.Fatalf("PUT port abc: %d %s; want 400 naming credentials.port", res.Status, res.Body)
	}
	time.Sleep(200 * time.Millisecond) // let a stray connection reach the listener
	if n := accepted.Load(); n != 0 {
		t.Fatalf("the new port received %d connections; the stored password may have been sent there", n)
	}
	if got := storedSecret(t, env, id, "password"); got != "stored-password" {
		t.Fatalf("password after refused PUTs = %q", got)
	}

	// Unchanged destinations (the same port spelled as a number) keep the marker working.
	res := env.Do(t, http.MethodPut, "/v1/api/integrations/"+id, token, map[string]any{
		"name": "same place", "credentials": map[string]any{"port": 5432, "host": testenv.PostgresCredentials("")["host"], "password": "********"}})
	if res.Status != http.StatusOK {
		t.Fatalf("PUT with the same destination: %d %s", res.Status, res.Body)
	}
	// Sending the password again with the new port goes ahead (and validation reaches the port).
	res = env.Do(t, http.MethodPut, "/v2/connection/"+id, token, map[string]any{"config": map[string]any{"port": port, "password": "typed-again"}})
	if res.Status == http.StatusBadRequest {
		t.Fatalf("PUT with the password sent again: %d %s", res.Status, res.Body)
	}
	if accepted.Load() == 0 {
		t.Fatal("validation with the password sent again did not reach the new port")
	}
}
