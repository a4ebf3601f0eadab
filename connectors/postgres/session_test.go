package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/conformance"
)

// TestSessionStateDoesNotOutliveAQuery takes a session-level advisory lock
// and changes a session setting in one query (both work in a read-only
// transaction, and the guard is bypassed here as if it had a gap), then
// requires that the lock is released once the query's connection is back in
// the pool and that the next query does not see the setting.
func TestSessionStateDoesNotOutliveAQuery(t *testing.T) {
	const key = 7_312_001
	db := scratchDatabase(t, "SELECT 1")
	q := openSource[connectors.Querier](t, db, "")
	ctx := context.Background()
	opts := connectors.QueryOptions{MaxRows: 1, Timeout: 10 * time.Second}
	if _, err := q.Query(ctx, "SELECT pg_advisory_lock(7312001), set_config('sluice.probe', 'left over', false)", opts); err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(ctx, conformance.PostgresServer().PostgresURL(db))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	held := -1
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", key).Scan(&held); err != nil {
			t.Fatal(err)
		}
		if held == 0 {
			break
		}
	}
	if held != 0 {
		t.Errorf("the advisory lock taken by a finished query is still held by a pooled connection")
	}
	rs, err := q.Query(ctx, "SELECT coalesce(current_setting('sluice.probe', true), '')", opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := rs.Rows[0][0]; got != "" {
		t.Errorf("the next query saw the previous query's session setting: %q", got)
	}
	// The reset connection still serves queries.
	if _, err := q.Query(ctx, "SELECT 1", opts); err != nil {
		t.Fatalf("query after reset: %v", err)
	}
}
