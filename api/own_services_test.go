package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/netguard"
)

// TestOwnServicesCannotBeSources: with private networks allowed (as `make
// run` allows them) a team registered sluice's own database as a source and
// read every team's integrations and runs. sluice's database (under any
// spelling of its address) and its Temporal frontend must be refused, even
// with private networks allowed; another database on the same server stays
// a valid source.
func TestOwnServicesCannotBeSources(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	own, err := pgconn.ParseConfig(env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	endpoints, err := netguard.OwnEndpoints(env.DatabaseURL, testenv.TemporalServer().GetFrontendHostPort(), 0)
	if err != nil {
		t.Fatal(err)
	}
	netguard.SetAllowPrivate(true)
	// An integration saved before the protection (an older sluice) is refused
	// at its next dial: the guard checks every connection, not only validation.
	saved := testenv.PostgresCredentials("x")
	saved["host"], saved["port"], saved["database"] = own.Host, strconv.Itoa(int(own.Port)), own.Database
	res := env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{"type": "postgres", "name": "saved", "credentials": saved})
	if res.Status != http.StatusCreated {
		t.Fatalf("create before the protection: %d %s", res.Status, res.Body)
	}
	savedID := res.JSON(t)["integration"].(map[string]any)["id"].(string)
	netguard.Protect(endpoints...)
	t.Cleanup(func() { netguard.Protect() })
	res = env.Do(t, http.MethodPost, "/v1/query", token, map[string]any{"sql": "SELECT name FROM teams", "integration_id": savedID})
	if res.Status < 400 || res.Status == http.StatusInternalServerError || !strings.Contains(string(res.Body), "sluice's own database") {
		t.Fatalf("query on sluice's database saved earlier: %d %s; want a refusal naming sluice's own database", res.Status, res.Body)
	}

	port := strconv.Itoa(int(own.Port))
	for _, host := range []string{own.Host, "localhost", "LOCALHOST.", "127.1", "0x7f000001", "::ffff:127.0.0.1", "::1"} {
		creds := testenv.PostgresCredentials("x")
		creds["host"], creds["port"], creds["database"] = host, port, own.Database
		for _, path := range []string{"/v1/api/integrations", "/v2/connection"} {
			res := env.Do(t, http.MethodPost, path, token, map[string]any{"type": "postgres", "name": "own", "credentials": creds})
			if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "sluice's own database") {
				t.Errorf("POST %s with sluice's database at %s: %d %s; want 422 naming sluice's own database", path, host, res.Status, res.Body)
			}
		}
	}
	temporalHost, temporalPort, _ := strings.Cut(testenv.TemporalServer().GetFrontendHostPort(), ":")
	creds := testenv.MySQLCredentials()
	creds["host"], creds["port"] = temporalHost, temporalPort
	res = env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{"type": "mysql", "name": "temporal", "credentials": creds})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "Temporal") {
		t.Errorf("POST with Temporal's frontend: %d %s; want 422 naming Temporal", res.Status, res.Body)
	}

	// Another database on the same server is a legitimate source.
	other := testenv.PostgresCredentials("x")
	other["host"], other["port"] = own.Host, port
	if res := env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{"type": "postgres", "name": "other", "credentials": other}); res.Status != http.StatusCreated {
		t.Fatalf("another database on sluice's server: %d %s", res.Status, res.Body)
	}
}
