package snowflake

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
	"time"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/sluice-dev/sluice/connectors/conformance"
)

// TestAgainstRealServer runs the shared conformance suite against a real
// Snowflake account. It reads SLUICE_TEST_SNOWFLAKE_ACCOUNT, _USER,
// _WAREHOUSE and _DATABASE, and _PASSWORD or _PRIVATE_KEY (PEM text, or the
// path of a PEM file), with _ROLE and _SCHEMA optional. The suite makes its
// fixture in a schema of its own in that database (CONF_…, dropped
// afterwards), so the role needs CREATE SCHEMA there.
func TestAgainstRealServer(t *testing.T) {
	env := func(name string) string { return os.Getenv("SLUICE_TEST_SNOWFLAKE_" + name) }
	values := map[string]any{"account": env("ACCOUNT"), "username": env("USER"), "warehouse": env("WAREHOUSE"),
		"database": env("DATABASE"), "password": env("PASSWORD"), "role": env("ROLE"), "schema": env("SCHEMA")}
	key := env("PRIVATE_KEY")
	if key != "" && !strings.Contains(key, "BEGIN") {
		b, err := os.ReadFile(key)
		if err != nil {
			t.Fatalf("SLUICE_TEST_SNOWFLAKE_PRIVATE_KEY: %v", err)
		}
		key = string(b)
	}
	values["private_key"] = key
	if values["account"] == "" || values["username"] == "" || values["warehouse"] == "" || values["database"] == "" ||
		(values["password"] == "" && key == "") {
		t.Skip("SLUICE_TEST_SNOWFLAKE_ACCOUNT, _USER, _WAREHOUSE, _DATABASE and _PASSWORD or _PRIVATE_KEY are not set; no Snowflake to test against")
	}
	for k, v := range values {
		if v == "" {
			delete(values, k)
		}
	}
	schema := strings.ToUpper(conformance.NewSchemaName())
	const readOnly = "Snowflake has no read-only transaction and the connector runs what it is given: " +
		"the statement guard in front of it is the only line, so use a role that can only read"
	conformance.Run(t, conformance.Fixture{
		Type:           "snowflake",
		Credentials:    values,
		Schema:         schema,
		QualifiedTable: schema + ".kinds",
		SleepSQL:       "SELECT SYSTEM$WAIT(%d)",
		Fold:           strings.ToUpper, // unquoted identifiers are stored in upper case
		Setup: func(t *testing.T) func() {
			// INSERT … VALUES takes only constants, hence INSERT … SELECT for PARSE_JSON.
			execSnowflake(t, values,
				"CREATE SCHEMA "+schema,
				`CREATE TABLE `+schema+`.kinds (
  id INT NOT NULL PRIMARY KEY, big BIGINT, ratio FLOAT, amount NUMBER(12,3), flag BOOLEAN,
  day DATE, label VARCHAR NOT NULL, doc VARIANT, raw BINARY, at TIMESTAMP_TZ)`,
				`INSERT INTO `+schema+`.kinds
  SELECT 1, 9007199254740993, 0.25, 123456789.123, TRUE, '2024-02-29'::DATE, 'héllo, ''world''',
         PARSE_JSON('{"k": [1, 2]}'), TO_BINARY('0001FF', 'HEX'), '2024-01-02 03:04:05 +00:00'::TIMESTAMP_TZ
  UNION ALL SELECT 2, -1, -1.5, -0.001, FALSE, '1999-12-31'::DATE, 'second',
         PARSE_JSON('[]'), TO_BINARY('', 'HEX'), '1970-01-01 00:00:00 +00:00'::TIMESTAMP_TZ
  UNION ALL SELECT 3, NULL, NULL, NULL, NULL, NULL, 'nulls', NULL, NULL, NULL`,
				"CREATE VIEW "+schema+".kinds_view AS SELECT id, label FROM "+schema+".kinds")
			return func() { execSnowflake(t, values, "DROP SCHEMA "+schema+" CASCADE") }
		},
		Skip: map[string]string{
			"write refused by the database": readOnly,
			"ddl refused by the database":   readOnly,
		},
	})
}

// execSnowflake runs each statement as the test's user, one at a time.
func execSnowflake(t *testing.T, values map[string]any, statements ...string) {
	t.Helper()
	cfg, err := buildConfig(func(k string) string { s, _ := values[k].(string); return s })
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(sf.NewConnector(sf.SnowflakeDriver{}, *cfg))
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, q := range statements {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("fixture: %v\n%s", err, q)
		}
	}
}
