package sqlserver

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors/conformance"
	"github.com/sluice-dev/sluice/netguard"
)

// TestAgainstRealServer runs the shared conformance suite against a real SQL
// Server named by SLUICE_TEST_SQLSERVER_URL, e.g.
// sqlserver://sluice:pw@localhost:1433?database=sales&encrypt=true&trust_server_certificate=true
// The suite makes its fixture in a schema of its own in that database
// (conf_…, dropped afterwards), so the login needs CREATE SCHEMA, CREATE
// TABLE and CREATE VIEW there; the connector itself only reads.
func TestAgainstRealServer(t *testing.T) {
	raw := os.Getenv("SLUICE_TEST_SQLSERVER_URL")
	if raw == "" {
		t.Skip("SLUICE_TEST_SQLSERVER_URL is not set; no SQL Server to test against")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("SLUICE_TEST_SQLSERVER_URL: %v", err)
	}
	password, _ := u.User.Password()
	values := map[string]any{"host": u.Hostname(), "username": u.User.Username(), "password": password,
		"database": u.Query().Get("database")}
	if p, err := strconv.Atoi(u.Port()); err == nil {
		values["port"] = p
	}
	for _, k := range []string{"encrypt", "trust_server_certificate"} {
		if v := u.Query().Get(k); v != "" {
			values[k] = v
		}
	}
	netguard.SetAllowPrivate(true) // test servers usually live on a private network
	t.Cleanup(func() { netguard.SetAllowPrivate(false) })
	schema := conformance.NewSchemaName()
	conformance.Run(t, conformance.Fixture{
		Type:           "sqlserver",
		Credentials:    values,
		Schema:         schema,
		QualifiedTable: schema + ".kinds",
		SleepSQL:       "WAITFOR DELAY '00:00:%02d'; SELECT 1",
		Setup: func(t *testing.T) func() {
			// CREATE SCHEMA and CREATE VIEW must each be alone in a batch.
			execBatches(t, raw,
				"CREATE SCHEMA "+schema,
				`CREATE TABLE `+schema+`.kinds (
  id int PRIMARY KEY, big bigint, ratio float, amount decimal(12,3), flag bit,
  day date, label nvarchar(100) NOT NULL, doc nvarchar(max), raw varbinary(16), at datetimeoffset)`,
				`INSERT INTO `+schema+`.kinds VALUES
  (1, 9007199254740993, 0.25, 123456789.123, 1, '2024-02-29', N'héllo, ''world''', N'{"k": [1, 2]}', 0x0001FF, '2024-01-02 03:04:05 +00:00'),
  (2, -1, -1.5, -0.001, 0, '1999-12-31', N'second', N'[]', 0x, '1970-01-01 00:00:00 +00:00'),
  (3, NULL, NULL, NULL, NULL, NULL, N'nulls', NULL, NULL, NULL)`,
				"CREATE VIEW "+schema+".kinds_view AS SELECT id, label FROM "+schema+".kinds")
			return func() {
				execBatches(t, raw, "DROP VIEW "+schema+".kinds_view", "DROP TABLE "+schema+".kinds", "DROP SCHEMA "+schema)
			}
		},
		Quirks: map[string]string{
			"json":        "SQL Server before 2025 has no JSON type: doc is nvarchar(max)",
			"json column": "SQL Server before 2025 has no JSON type: doc is nvarchar(max)",
		},
	})
}

// execBatches runs each batch on the server, as the fixture's administrator.
func execBatches(t *testing.T, dsn string, batches ...string) {
	t.Helper()
	db, err := sql.Open("sqlserver", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, q := range batches {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("fixture: %v\n%s", err, q)
		}
	}
}
