package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/lake"
	"github.com/sluice-dev/sluice/worker"
	"github.com/sluice-dev/sluice/workflows"
)

// TestCopyBeatsThroughASlowCommit holds the lake's commit lock for three
// heartbeat timeouts while a merge with delete detection waits on it: the
// copy must go on heartbeating through the wait, so the table is copied in
// one attempt. A copy that beat only while reading rows went silent in its
// commit, and Temporal timed the attempt out and retried it (the failure a
// loaded CI machine showed with a large table's slow commit).
func TestCopyBeatsThroughASlowCommit(t *testing.T) {
	const heartbeatTimeout = 2 * time.Second
	env := testenv.NewWithWorker(t, func(d *worker.Deps) {
		d.Workflows = workflows.Options{CopyHeartbeatTimeout: heartbeatTimeout}
	})
	token := env.Token(t, "acme")
	schema := testenv.PostgresSchema(t, `CREATE TABLE items (id bigint PRIMARY KEY, name text);
		INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 20000) g;`)
	f := syncFixture{env: env, token: token, id: createPostgres(t, env, token, "pw"), schema: schema}
	if res := f.configure(t, map[string]any{"dest_schema": "BEATS", "schedule": "daily",
		"tables": []any{map[string]any{"name": schema + ".items", "delete_mode": "hard"}}}); res.Status != http.StatusOK {
		t.Fatalf("configure: %d %s", res.Status, res.Body)
	}
	runOnce := func(what string) {
		t.Helper()
		run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
		table := run["tables"].([]any)[0].(map[string]any)
		if run["status"] != "succeeded" || table["attempts"].(float64) != 1 {
			t.Fatalf("%s: %v attempt(s), run %v", what, table["attempts"], run)
		}
	}
	runOnce("first run") // creates the lake
	testenv.ExecPostgres(t, "DELETE FROM "+schema+".items WHERE id % 1000 = 0")

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, env.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var teamID uuid.UUID
	if err := conn.QueryRow(ctx, "SELECT id FROM teams WHERE name = 'acme'").Scan(&teamID); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lake.CommitLockKey(lake.CatalogSchemaFor(teamID))); err != nil {
		t.Fatal(err)
	}
	release := time.AfterFunc(3*heartbeatTimeout, func() {
		_, _ = conn.Exec(ctx, "SELECT pg_advisory_unlock_all()")
	})
	defer release.Stop()
	runOnce("run whose commit waits")
	if got := f.lakeRow(t, "SELECT count(*) AS n FROM BEATS.items"); got["n"] != float64(19980) {
		t.Fatalf("lake rows after the deletes: %v, want 19980", got["n"])
	}
}
