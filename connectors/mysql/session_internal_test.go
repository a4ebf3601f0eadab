package mysql

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	driver "github.com/go-sql-driver/mysql"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/conformance"
	"github.com/sluice-dev/sluice/netguard"
)

// openTestConnector opens the connector on the test MariaDB, in database db,
// with the session's sql_mode set to mode (the server's when empty).
func openTestConnector(t testing.TB, db, mode string) *Connector {
	t.Helper()
	netguard.SetAllowPrivate(true)
	my := conformance.MySQLServer()
	spec, _ := connectors.Lookup("mysql")
	config, secrets, err := spec.Normalize(map[string]any{"host": my.Host, "port": my.Port, "database": db,
		"username": my.User, "password": my.Password, "tls": "false"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(connectors.NewCredentials(spec, connectors.MergeValues(config, secrets)))
	if err != nil {
		t.Fatal(err)
	}
	if mode != "" {
		c.cfg.Params["sql_mode"] = "'" + mode + "'"
		dc, err := driver.NewConnector(c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		c.db.Close()
		c.db = sql.OpenDB(dc)
	}
	t.Cleanup(func() { c.db.Close() })
	return c
}

// adminDB is a root connection to the test MariaDB.
func adminDB(t testing.TB) *sql.DB {
	t.Helper()
	my := conformance.MySQLServer()
	cfg := driver.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = my.User, my.Password, "tcp", my.Addr()
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestNamedLocksDoNotOutliveAQuery takes a named lock in one query (the
// guard is bypassed, as if it had a gap) and requires it to be free once the
// query has answered, so it cannot block another request on the same user.
func TestNamedLocksDoNotOutliveAQuery(t *testing.T) {
	c := openTestConnector(t, "mysql", "")
	ctx := context.Background()
	if _, err := c.Query(ctx, "SELECT GET_LOCK('sluice_e_probe', 0)", connectors.QueryOptions{MaxRows: 1, Timeout: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	var free int
	if err := adminDB(t).QueryRow("SELECT IS_FREE_LOCK('sluice_e_probe')").Scan(&free); err != nil {
		t.Fatal(err)
	}
	if free != 1 {
		t.Fatal("a named lock taken by a finished query is still held by a pooled connection")
	}
}

// TestStatementTimeLimitDoesNotOutliveAQuery runs a query with a one-second
// limit, then reads the session's limit on the pool's one connection: it must
// be the server's again, or a sync's read on that connection would inherit it.
func TestStatementTimeLimitDoesNotOutliveAQuery(t *testing.T) {
	c := openTestConnector(t, "mysql", "")
	c.db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err := c.Query(ctx, "SELECT 1", connectors.QueryOptions{MaxRows: 1, Timeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	conn, err := c.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var session, global float64
	if err := conn.QueryRowContext(ctx, "SELECT @@SESSION.max_statement_time, @@GLOBAL.max_statement_time").Scan(&session, &global); err != nil {
		t.Fatal(err)
	}
	if session != global {
		t.Fatalf("the next use of the connection has max_statement_time %v, want the server's %v", session, global)
	}
}

// TestReadValuesNeverBecomeSQL reads past hostile cursor and resume-key
// values with NO_BACKSLASH_ESCAPES off and on: values are bound, never
// written into the statement, so nothing is created and every row is read.
func TestReadValuesNeverBecomeSQL(t *testing.T) {
	admin := adminDB(t)
	name := "e_" + strings.ReplaceAll(conformance.NewSchemaName(), "-", "_")
	for _, q := range []string{"CREATE DATABASE " + name, "CREATE TABLE " + name + ".t (k varchar(100) PRIMARY KEY, n int)"} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE IF EXISTS " + name) })
	values := []string{"a", `x\'; CREATE TABLE pwned (i int); -- `, `y''); CREATE TABLE pwned (i int); -- `, `z\`}
	for i, v := range values {
		if _, err := admin.Exec("INSERT INTO "+name+".t VALUES (?, ?)", v, i); err != nil {
			t.Fatal(err)
		}
	}
	for _, mode := range []string{"STRICT_TRANS_TABLES", "STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES"} {
		c := openTestConnector(t, name, mode)
		ref := connectors.TableRef{Schema: name, Name: "t"}
		cols, err := c.Columns(context.Background(), ref)
		if err != nil {
			t.Fatal(err)
		}
		read := func(req connectors.ReadRequest) int {
			t.Helper()
			req.Table, req.Columns = ref, cols
			var sink rowCount
			if _, err := c.Read(context.Background(), req, &sink); err != nil {
				t.Fatalf("%s: read %+v: %v", mode, req, err)
			}
			return int(sink)
		}
		if n := read(connectors.ReadRequest{OrderBy: []string{"k"}, ChunkRows: 1, BatchSize: 1}); n != len(values) {
			t.Errorf("%s: chunked read copied %d rows, want %d", mode, n, len(values))
		}
		for _, v := range values {
			read(connectors.ReadRequest{CursorField: "k", CursorAfter: v})
			read(connectors.ReadRequest{OrderBy: []string{"k"}, ResumeAfter: []any{v}})
		}
	}
	var tables int
	if err := admin.QueryRow("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'pwned'").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Fatal("a value read from the source ran as SQL: table pwned was created")
	}
}

// rowCount counts the rows it is given.
type rowCount int

func (r *rowCount) WriteBatch(_ context.Context, rows [][]any) error {
	*r += rowCount(len(rows))
	return nil
}
