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
	ExecPostgresIn(t, "", sql)
}

// PostgresDatabase creates a scratch database on the local Postgres server,
// named prefix and a random suffix, runs setup in it, drops it when the test
// ends, and returns its name (for the "database" of PostgresCredentials).
// A database of its own shows a connection nothing but the fixture's tables.
func PostgresDatabase(t testing.TB, prefix, setup string) string {
	t.Helper()
	ctx := context.Background()
	name := prefix + randomHex(5)
	ExecPostgres(t, "CREATE DATABASE "+name)
	t.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), dbtest.AdminURL()); err == nil {
			_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	})
	conn, err := pgx.Connect(ctx, databaseURL(name))
	if err != nil {
		t.Fatalf("connect to %s: %v", name, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, setup); err != nil {
		t.Fatalf("fixture SQL: %v", err)
	}
	return name
}
