package alerts

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/secrets"
)

// staleFixture is a team with one integration whose sync was configured
// three hours ago, a webhook channel and a sync.stale rule of two hours.
func staleFixture(t *testing.T) (*pgxpool.Pool, uuid.UUID) {
	t.Helper()
	pool := dbtest.NewPool(t)
	ctx := context.Background()
	var team, source, dest uuid.UUID
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(pool.QueryRow(ctx, `INSERT INTO teams (name) VALUES ('acme') RETURNING id`).Scan(&team))
	must(pool.QueryRow(ctx, `INSERT INTO integrations (team_id, type, name) VALUES ($1, 'postgres', 'orders db') RETURNING id`, team).Scan(&source))
	must(pool.QueryRow(ctx, `INSERT INTO integrations (team_id, type, name) VALUES ($1, 'ducklake', 'lake') RETURNING id`, team).Scan(&dest))
	_, err := pool.Exec(ctx, `INSERT INTO sync_configs (team_id, integration_id, dest_integration_id, dest_schema, schedule, tables, load_method, created_at)
		VALUES ($1, $2, $3, 'ORDERS', 'daily', '[]', 'merge', now() - interval '3 hours')`, team, source, dest)
	must(err)
	channel := uuid.New()
	_, err = pool.Exec(ctx, `INSERT INTO alert_channels (id, team_id, name, kind, url_display, sealed_config) VALUES ($1, $2, 'hook', 'webhook', 'https://x', '\x00')`, channel, team)
	must(err)
	_, err = pool.Exec(ctx, `INSERT INTO alert_rules (team_id, name, event, channel_id, stale_hours) VALUES ($1, 'stale', 'sync.stale', $2, 2)`, team, channel)
	must(err)
	return pool, source
}

func countEvents(t *testing.T, pool *pgxpool.Pool) (events, deliveries int) {
	t.Helper()
	err := pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM alert_events WHERE event = 'sync.stale'), (SELECT count(*) FROM alert_deliveries)`).Scan(&events, &deliveries)
	if err != nil {
		t.Fatal(err)
	}
	return events, deliveries
}

// TestStaleSyncIsToldOncePerSpell: a sync that never succeeded within the
// rule's bound is told once however often the check runs; a success that
// is itself older than the bound starts a new spell (told once more); a
// recent success tells nothing.
func TestStaleSyncIsToldOncePerSpell(t *testing.T) {
	pool, source := staleFixture(t)
	key, _ := secrets.GenerateKey()
	parsed, _ := secrets.ParseKey(key)
	keyring, _ := secrets.NewKeyring(parsed)
	d := &Dispatcher{Pool: pool, Keyring: keyring}
	d.defaults()
	ctx := context.Background()
	for range 3 {
		if err := d.checkStale(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if e, n := countEvents(t, pool); e != 1 || n != 1 {
		t.Fatalf("never succeeded: %d events, %d deliveries; want 1, 1", e, n)
	}
	insertRun := func(age string) {
		t.Helper()
		_, err := pool.Exec(ctx, `INSERT INTO sync_runs (id, team_id, integration_id, config, status, trigger, workflow_id, finished_at)
			SELECT gen_random_uuid(), team_id, id, '{}', 'succeeded', 'schedule', gen_random_uuid()::text, now() - $2::interval
			FROM integrations WHERE id = $1`, source, age)
		if err != nil {
			t.Fatal(err)
		}
	}
	insertRun("150 minutes")
	for range 2 {
		if err := d.checkStale(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if e, _ := countEvents(t, pool); e != 2 {
		t.Fatalf("after an old success: %d events, want 2", e)
	}
	insertRun("10 minutes")
	if err := d.checkStale(ctx); err != nil {
		t.Fatal(err)
	}
	if e, _ := countEvents(t, pool); e != 2 {
		t.Fatalf("after a recent success: %d events, want still 2", e)
	}
}
