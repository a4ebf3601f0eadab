package testenv

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db/dbtest"
)

// databaseURL is the superuser URL of a database on the local Postgres
// server; empty means the default one.
func databaseURL(database string) string {
	if database == "" {
		return dbtest.AdminURL()
	}
	return strings.Replace(dbtest.AdminURL(), "/postgres?", "/"+database+"?", 1)
}

// ExecPostgresIn runs SQL as the superuser in a database of the local
// Postgres server (one PostgresDatabase created, for example).
func ExecPostgresIn(t testing.TB, database, sql string) {
	t.Helper()
	ctx := context.Background()
	conn := connectTo(t, database)
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("SQL in database %s: %v", database, err)
	}
}

// connectTo connects as the superuser to a database of the local Postgres
// server; the caller closes the connection.
func connectTo(t testing.TB, database string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), databaseURL(database))
	if err != nil {
		t.Fatalf("connect to Postgres database %s: %v", database, err)
	}
	return conn
}

// QueryPostgresIn runs a query of one row as the superuser in a database
// of the local Postgres server and returns its values as fmt.Sprint prints them.
func QueryPostgresIn(t testing.TB, database, sql string) string {
	t.Helper()
	ctx := context.Background()
	conn := connectTo(t, database)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		t.Fatalf("query in database %s: %v", database, err)
	}
	values, err := pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) ([]any, error) { return row.Values() })
	if err != nil {
		t.Fatalf("query in database %s: %v", database, err)
	}
	return fmt.Sprint(values...)
}

// LockTable takes an exclusive lock on a table of a database on the local
// Postgres server (empty database: the default one), so a sync's read of it
// waits, and returns a function that releases the lock. The lock is also
// released when the test ends.
func LockTable(t testing.TB, database, table string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, databaseURL(database))
	if err != nil {
		t.Fatalf("connect to lock %s: %v", table, err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatalf("begin to lock %s: %v", table, err)
	}
	release = func() { _ = tx.Rollback(ctx); _ = conn.Close(ctx) }
	t.Cleanup(release)
	if _, err := tx.Exec(ctx, "LOCK TABLE "+table+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatalf("lock %s: %v", table, err)
	}
	return release
}
