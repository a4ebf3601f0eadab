package mysql_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/sluice-dev/sluice/connectors/conformance"
	_ "github.com/sluice-dev/sluice/connectors/mysql"
	"github.com/sluice-dev/sluice/netguard"
)

// adminDSN reaches the server the connector under test is given, so the
// fixture is made where it will be read, in UTC.
func adminDSN() string {
	my := conformance.MySQLServer()
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = my.User, my.Password, "tcp", my.Addr()
	cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	return cfg.FormatDSN()
}

// TestConformance runs the shared connector suite against the local
// MariaDB (SLUICE_TEST_MYSQL_HOST, _PORT, _USER and _PASSWORD name another).
func TestConformance(t *testing.T) {
	my := conformance.MySQLServer()
	netguard.SetAllowPrivate(true)
	schema := conformance.NewSchemaName()
	conformance.Run(t, conformance.Fixture{
		Type: "mysql",
		Credentials: map[string]any{"host": my.Host, "port": my.Port, "database": schema,
			"username": my.User, "password": my.Password, "tls": "false"},
		Schema:         schema,
		QualifiedTable: schema + ".kinds",
		SleepSQL:       "SELECT SLEEP(%d)",
		Setup: func(t *testing.T) func() {
			exec(t, `CREATE DATABASE `+schema+`;
CREATE TABLE `+schema+`.kinds (
  id int PRIMARY KEY, big bigint, ratio double, amount decimal(12,3), flag boolean,
  day date, label text NOT NULL, doc json, raw varbinary(16), at timestamp NULL);
INSERT INTO `+schema+`.kinds VALUES
  (1, 9007199254740993, 0.25, 123456789.123, true, '2024-02-29', 'héllo, ''world''', '{"k": [1, 2]}', X'0001ff', '2024-01-02 03:04:05'),
  (2, -1, -1.5, -0.001, false, '1999-12-31', 'second', '[]', X'', '1970-01-01 00:00:01'),
  (3, NULL, NULL, NULL, NULL, NULL, 'nulls', NULL, NULL, NULL);
CREATE VIEW `+schema+`.kinds_view AS SELECT id, label FROM `+schema+`.kinds;`)
			return func() { exec(t, "DROP DATABASE "+schema) }
		},
		Quirks: map[string]string{
			"bool": "MySQL has no boolean type: BOOLEAN is tinyint(1), and result metadata does not carry the (1)",
			"json": "MariaDB's JSON is LONGTEXT; result metadata does not mark it (discovery does, from its json_valid check)",
		},
	})
}

func exec(t *testing.T, stmts string) {
	t.Helper()
	db, err := sql.Open("mysql", adminDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range strings.Split(stmts, ";\n") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("fixture: %v\n%s", err, s)
		}
	}
}
