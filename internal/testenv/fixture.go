package testenv

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db/dbtest"
)

// PostgresSchema creates a scratch schema in the local Postgres database
// that PostgresCredentials point at, runs setup in it (search_path is set to
// the schema), drops it when the test ends, and returns its name.
func PostgresSchema(t testing.TB, setup string) string {
	t.Helper()
	schema := "fx_" + randomHex(5)
	ExecPostgres(t, "CREATE SCHEMA "+schema+"; SET search_path TO "+schema+"; "+setup)
	t.Cleanup(func() { ExecPostgres(t, "DROP SCHEMA IF EXISTS "+schema+" CASCADE") })
	return schema
}

// ExecPostgres runs SQL on the local Postgres database as its superuser.
func ExecPostgres(t testing.TB, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbtest.AdminURL())
	if err != nil {
		t.Fatalf("connect to Postgres: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("fixture SQL: %v", err)
	}
}
