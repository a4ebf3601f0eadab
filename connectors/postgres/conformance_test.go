package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors/conformance"
	_ "github.com/sluice-dev/sluice/connectors/postgres"
	"github.com/sluice-dev/sluice/netguard"
)

// adminURL reaches the server the connector under test is given, so the
// fixture is made where it will be read.
func adminURL() string { return conformance.PostgresServer().PostgresURL("postgres") }

// TestConformance runs the shared connector suite against the local
// Postgres (SLUICE_TEST_PG_HOST, _PORT and _USER name another).
func TestConformance(t *testing.T) {
	pg := conformance.PostgresServer()
	netguard.SetAllowPrivate(true)
	schema := conformance.NewSchemaName()
	conformance.Run(t, conformance.Fixture{
		Type: "postgres",
		Credentials: map[string]any{"host": pg.Host, "port": pg.Port, "database": "postgres",
			"username": pg.User, "password": "unused-trust", "sslmode": "disable"},
		Schema:         schema,
		QualifiedTable: schema + ".kinds",
		SleepSQL:       "SELECT pg_sleep(%d)",
		Setup: func(t *testing.T) func() {
			exec(t, `CREATE SCHEMA `+schema+`;
CREATE TABLE `+schema+`.kinds (
  id int PRIMARY KEY, big bigint, ratio double precision, amount numeric(12,3), flag boolean,
  day date, label text NOT NULL, doc jsonb, raw bytea, at timestamptz);
INSERT INTO `+schema+`.kinds VALUES
  (1, 9007199254740993, 0.25, 123456789.123, true, '2024-02-29', 'héllo, ''world''', '{"k": [1, 2]}', '\x0001ff', '2024-01-02 03:04:05+00'),
  (2, -1, -1.5, -0.001, false, '1999-12-31', 'second', '[]', '\x', '1970-01-01 00:00:00+00'),
  (3, NULL, NULL, NULL, NULL, NULL, 'nulls', NULL, NULL, NULL);
CREATE VIEW `+schema+`.kinds_view AS SELECT id, label FROM `+schema+`.kinds;`)
			return func() { exec(t, "DROP SCHEMA "+schema+" CASCADE") }
		},
	})
}

func exec(t *testing.T, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), adminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("fixture: %v", err)
	}
}
