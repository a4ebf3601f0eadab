package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/conformance"
	"github.com/sluice-dev/sluice/netguard"
)

// scratchDatabase creates a database on the test server, runs setup in it,
// drops it when the test ends and returns its name. A database of its own
// lets a test change database-level settings (standard_conforming_strings)
// without touching any other test.
func scratchDatabase(t *testing.T, setup string) string {
	t.Helper()
	suffix := make([]byte, 5)
	_, _ = rand.Read(suffix)
	name := "e_" + hex.EncodeToString(suffix)
	exec(t, "CREATE DATABASE "+name)
	t.Cleanup(func() { exec(t, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	conn, err := pgx.Connect(context.Background(), conformance.PostgresServer().PostgresURL(name))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), setup); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return name
}

// openSource opens the postgres connector on a database of the test server
// as user (the server's own user when empty), and returns it as T.
func openSource[T any](t *testing.T, database, user string) T {
	t.Helper()
	netguard.SetAllowPrivate(true)
	pg := conformance.PostgresServer()
	if user == "" {
		user = pg.User
	}
	spec, _ := connectors.Lookup("postgres")
	config, secrets, err := spec.Normalize(map[string]any{"host": pg.Host, "port": pg.Port, "database": database,
		"username": user, "password": "unused-trust", "sslmode": "disable"})
	if err != nil {
		t.Fatal(err)
	}
	c, closeFn, err := connectors.Open[T](context.Background(), "postgres", connectors.NewCredentials(spec, connectors.MergeValues(config, secrets)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeFn(context.Background()) })
	return c
}

// rowsSink keeps every row it is given.
type rowsSink struct{ rows [][]any }

func (s *rowsSink) WriteBatch(_ context.Context, rows [][]any) error {
	s.rows = append(s.rows, rows...)
	return nil
}
