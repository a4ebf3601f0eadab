package api_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/service"
)

// TestQueryTimeoutCancelsOnTheSource: a query that runs into the statement
// timeout answers 504, and by then the statement no longer runs on the
// source — neither in Postgres's pg_stat_activity nor in MariaDB's
// processlist — so a timed-out query does not go on loading the source.
// The statements are long reads (sleep functions are refused by the
// read-only guard): counting a huge series, or a four-way cross join.
func TestQueryTimeoutCancelsOnTheSource(t *testing.T) {
	env := testenv.NewWith(t, func(o *service.Options) { o.QueryTimeout = time.Second })
	token := env.Token(t, "acme")
	res := env.Do(t, http.MethodPost, "/v2/connection", token, map[string]any{"type": "mysql", "config": testenv.MySQLCredentials()})
	if res.Status != http.StatusCreated {
		t.Fatalf("create mysql: %d %s", res.Status, res.Body)
	}
	mysqlID := res.JSON(t)["data"].(map[string]any)["id"].(string)
	maria := mariaAdmin(t)
	sources := []struct {
		name, id, slow string // slow ends with a table alias the test appends
		running        func(ctx context.Context, marker string) (int, error)
	}{
		{"postgres", createPostgres(t, env, token, "pw"), "SELECT count(*) FROM generate_series(1, 10000000000) AS ", func(ctx context.Context, marker string) (int, error) {
			var n int
			err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
				WHERE state = 'active' AND query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()`, marker).Scan(&n)
			return n, err
		}},
		{"mariadb", mysqlID, "SELECT COUNT(*) FROM information_schema.collations a, information_schema.collations b, " +
			"information_schema.collations c, information_schema.collations ", func(ctx context.Context, marker string) (int, error) {
			var n int
			err := maria.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.processlist
				WHERE info LIKE CONCAT('%', ?, '%') AND id <> CONNECTION_ID()`, marker).Scan(&n)
			return n, err
		}},
	}
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			marker := "sluice_cancel_" + randomHex(t)
			start := time.Now()
			res := env.Do(t, http.MethodPost, "/v1/query", token, map[string]any{"integration_id": src.id, "sql": src.slow + marker})
			if res.Status != http.StatusGatewayTimeout {
				t.Fatalf("slow query: %d %s, want 504", res.Status, res.Body)
			}
			assertErrorCode(t, res.Body, "query_timeout")
			if elapsed := time.Since(start); elapsed > 10*time.Second {
				t.Fatalf("the 504 took %s for a 1 s timeout", elapsed)
			}
			n, err := src.running(context.Background(), marker)
			if err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Fatalf("%d statements still run on the source after the 504", n)
			}
		})
	}
}

// mariaAdmin connects to the local MariaDB as testenv's root login.
func mariaAdmin(t testing.TB) *sql.DB {
	t.Helper()
	creds := testenv.MySQLCredentials()
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net = creds["username"].(string), creds["password"].(string), "tcp"
	cfg.Addr = net.JoinHostPort(creds["host"].(string), creds["port"].(string))
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func randomHex(t testing.TB) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
