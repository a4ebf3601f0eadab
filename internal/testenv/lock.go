package testenv

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db/dbtest"
)

// LockTable takes an exclusive lock on a table of a database on the local
// Postgres server (empty database: the default one), so a sync's read of it
// waits, and returns a function that releases the lock. The lock is also
// released when the test ends.
func LockTable(t testing.TB, database, table string) (release func()) {
	t.Helper()
	ctx := context.Background()
	url := dbtest.AdminURL()
	if database != "" {
		url = strings.Replace(url, "/postgres?", "/"+database+"?", 1)
	}
	conn, err := pgx.Connect(ctx, url)
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
