package sqlguard

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// mysqlAdminDSN is the local MariaDB's root connection.
func mysqlAdminDSN() string {
	if d := os.Getenv("SLUICE_TEST_MYSQL_DSN"); d != "" {
		return d
	}
	return "root@tcp(127.0.0.1:3306)/"
}

// mysqlScratch is a database of its own holding items (five known rows) and
// the sequence item_ids, and a user with every privilege on that database
// and none on the server. Statements run as that user, so what stops a write
// to the database is the read-only session and transaction, while
// server-wide statements (SET GLOBAL, SHUTDOWN, KILL, files) fail for want of
// a privilege rather than act on a machine other tests share.
type mysqlScratch struct {
	admin *sql.DB // root, on the scratch database
	user  *sql.DB // the scratch user; every connection is new
	name  string
}

// newMySQLScratch creates the scratch database and user. Everything it
// creates is dropped when t ends.
func newMySQLScratch(t *testing.T) *mysqlScratch {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := mysql.ParseDSN(mysqlAdminDSN())
	if err != nil {
		t.Fatalf("parse %s: %v", mysqlAdminDSN(), err)
	}
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("open MariaDB: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("MariaDB not reachable at %s; make test needs it (or set SLUICE_TEST_MYSQL_DSN): %v", cfg.Addr, err)
	}
	s := &mysqlScratch{admin: admin, name: "sg_" + randomHex(t, 6)}
	password := randomHex(t, 12)
	t.Cleanup(func() {
		for _, q := range []string{"DROP DATABASE IF EXISTS " + s.name, "DROP USER IF EXISTS " + s.name + "@'%'", "DROP USER IF EXISTS " + s.name + "@localhost"} {
			if _, err := admin.Exec(q); err != nil {
				t.Errorf("drop scratch: %s: %v", q, err)
			}
		}
	})
	for _, q := range []string{
		"CREATE DATABASE " + s.name,
		"CREATE TABLE " + s.name + ".items (id int PRIMARY KEY, name varchar(40) NOT NULL, qty int NOT NULL)",
		"INSERT INTO " + s.name + ".items VALUES (1, 'bolt', 10), (2, 'nut', 20), (3, 'washer', 0), (4, 'it''s', -1), (5, 'DROP TABLE', 5)",
		// NOCACHE, so that a NEXT VALUE that got through shows in the table.
		"CREATE SEQUENCE " + s.name + ".item_ids NOCACHE",
		// Both hosts, or an anonymous ''@localhost account would match first.
		fmt.Sprintf("CREATE USER %s@'%%' IDENTIFIED BY '%s'", s.name, password),
		fmt.Sprintf("CREATE USER %s@localhost IDENTIFIED BY '%s'", s.name, password),
		fmt.Sprintf("GRANT ALL PRIVILEGES ON %s.* TO %s@'%%'", s.name, s.name),
		fmt.Sprintf("GRANT ALL PRIVILEGES ON %s.* TO %s@localhost", s.name, s.name),
	} {
		if _, err := admin.ExecContext(ctx, q); err != nil {
			t.Fatalf("create scratch: %s: %v", q, err)
		}
	}
	ucfg := cfg.Clone()
	ucfg.User, ucfg.Passwd, ucfg.DBName = s.name, password, s.name
	if s.user, err = sql.Open("mysql", ucfg.FormatDSN()); err != nil {
		t.Fatalf("open MariaDB as the scratch user: %v", err)
	}
	s.user.SetMaxIdleConns(0) // a session a statement changed is never reused
	t.Cleanup(func() { s.user.Close() })
	return s
}

// snapshot summarizes what a statement could have changed: the rows' count
// and checksum, the sequence, the scratch database's tables, and the
// databases and users the corpus tries to create.
func (s *mysqlScratch) snapshot(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out string
	err := s.admin.QueryRowContext(ctx, fmt.Sprintf(`SELECT CONCAT_WS(' | ',
		(SELECT CONCAT(COUNT(*), ' rows ', MD5(GROUP_CONCAT(CONCAT_WS(',', id, name, qty) ORDER BY id SEPARATOR ';'))) FROM %[1]s.items),
		(SELECT CONCAT('sequence at ', next_not_cached_value) FROM %[1]s.item_ids),
		(SELECT GROUP_CONCAT(table_name, ':', table_type ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '%[1]s'),
		(SELECT CONCAT(COUNT(*), ' sg_evil databases') FROM information_schema.schemata WHERE schema_name = 'sg_evil'),
		(SELECT CONCAT(COUNT(*), ' sg_evil users') FROM mysql.user WHERE user = 'sg_evil'))`, s.name)).Scan(&out)
	if err != nil {
		t.Fatalf("snapshot scratch: %v", err)
	}
	return out
}

// runReadOnly runs q as the connector does: on a read-only session, in a
// read-only transaction, with a statement time limit and without
// multi-statement support, and rolls back. It returns the server's error.
func (s *mysqlScratch) runReadOnly(t testing.TB, q string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := s.user.Conn(ctx)
	if err != nil {
		t.Fatalf("connect as the scratch user: %v", err)
	}
	defer conn.Close()
	for _, set := range []string{"SET SESSION TRANSACTION READ ONLY", "SET SESSION max_statement_time = 0.1"} {
		if _, err := conn.ExecContext(ctx, set); err != nil {
			t.Fatalf("%s: %v", set, err)
		}
	}
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	defer tx.Rollback() //nolint:errcheck // the point is to roll back
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	rows.Close()
	return rows.Err()
}
