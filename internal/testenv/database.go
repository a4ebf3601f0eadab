package testenv

import (
	"context"
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
	conn, err := pgx.Connect(ctx, databaseURL(database))
	if err != nil {
		t.Fatalf("connect to Postgres database %s: %v", database, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("SQL in database %s: %v", database, err)
	}
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
