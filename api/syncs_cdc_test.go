package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/internal/testenv/pgcluster"
	"github.com/sluice-dev/sluice/worker"
)

// cdcFixture is a sluice stack and a private wal_level=logical Postgres
// whose database src is owned by the replication role "capture", with an
// integration on it as that role.
type cdcFixture struct {
	syncFixture
	srv *pgcluster.Server
}

func newCDCFixture(t *testing.T, setup string) cdcFixture {
	t.Helper()
	return newCDCFixtureWith(t, setup, nil)
}

// newCDCFixtureWith is newCDCFixture with the in-process worker's
// dependencies adjusted by tuneWorker (may be nil).
func newCDCFixtureWith(t *testing.T, setup string, tuneWorker func(*worker.Deps)) cdcFixture {
	t.Helper()
	srv := pgcluster.StartLogical(t)
	srv.Exec("postgres", "CREATE ROLE capture LOGIN REPLICATION")
	srv.Exec("postgres", "CREATE DATABASE src OWNER capture")
	srv.Exec("src", "SET ROLE capture; "+setup)
	env := testenv.NewWithWorker(t, tuneWorker)
	token := env.Token(t, "acme")
	res := env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{"type": "postgres", "name": "Busy", "credentials": srv.Credentials("src", "capture")})
	if res.Status != http.StatusCreated {
		t.Fatalf("create postgres: %d %s", res.Status, res.Body)
	}
	id := res.JSON(t)["integration"].(map[string]any)["id"].(string)
	return cdcFixture{syncFixture: syncFixture{env: env, token: token, id: id, schema: "public"}, srv: srv}
}

// source runs SQL on the source as the table owner.
func (f cdcFixture) source(sql string) { f.srv.Exec("src", "SET ROLE capture; "+sql) }

// sourceValue reads one value from the source.
func (f cdcFixture) sourceValue(t *testing.T, sql string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, f.srv.URL("src"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, sql).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// lakeIs fails unless a lake query's single row renders as want.
func (f cdcFixture) lakeIs(t *testing.T, sql, want string) {
	t.Helper()
	row := f.lakeRow(t, sql)
	var parts []string
	for _, k := range []string{"a", "b", "c"} {
		if v, ok := row[k]; ok {
			parts = append(parts, fmt.Sprint(v))
		}
	}
	if got := strings.Join(parts, " "); got != want {
		t.Errorf("%s\n got %s\nwant %s", sql, got, want)
	}
}

const cdcSource = `
CREATE TABLE orders (id int PRIMARY KEY, note text, big text, n int);
INSERT INTO orders SELECT g, 'o' || g, NULL, g FROM generate_series(1, 1000) g;
UPDATE orders SET big = (SELECT string_agg(md5(random()::text || g), '') FROM generate_series(1, 3000) g) WHERE id = 5;
CREATE TABLE "Hard ""Q""" (id int PRIMARY KEY, v text);
INSERT INTO "Hard ""Q""" SELECT g, 'v' || g FROM generate_series(1, 100) g;`

// TestCDCSyncAppliesChangesInCommitOrder configures a cdc sync, copies the
// tables in the slot's snapshot, then applies interleaved transactions, an
// update leaving a TOASTed value unsent, deletes (soft by default, hard on
// the quoted table), a key updated then deleted in one run, a key deleted
// and inserted again, a truncate and a type widening, each run exactly once.
func TestCDCSyncAppliesChangesInCommitOrder(t *testing.T) {
	f := newCDCFixture(t, cdcSource)
	cfg := f.configured(t, map[string]any{"dest_schema": "cdc", "schedule": "daily", "load_method": "cdc",
		"tables": []any{"public.orders", map[string]any{"name": `public.Hard "Q"`, "delete_mode": "hard"}}})
	if cfg["load_method"] != "cdc" || cfg["delete_mode"] != "soft" {
		t.Fatalf("configured: %v", cfg)
	}
	f.run(t)
	f.lakeIs(t, `SELECT count(*) AS a, sum(n) AS b FROM cdc.orders`, "1000 500500")
	f.lakeIs(t, `SELECT count(*) AS a FROM cdc.hard__q_`, "100")
	bigMD5 := f.sourceValue(t, "SELECT md5(big) FROM orders WHERE id = 5")

	// Two sessions interleave: a begins first but commits last, so its
	// write of key 1 is the later one, whatever the order of the statements.
	a, b := f.session(t), f.session(t)
	mustExec(t, a, "BEGIN")
	mustExec(t, b, "BEGIN")
	mustExec(t, a, "INSERT INTO orders VALUES (1001, 'a', NULL, 1)")
	mustExec(t, b, "UPDATE orders SET note = 'b' WHERE id = 1")
	mustExec(t, b, "COMMIT")
	mustExec(t, a, "UPDATE orders SET note = 'a-later' WHERE id = 1")
	mustExec(t, a, "COMMIT")
	f.source(`UPDATE orders SET note = 'toast kept' WHERE id = 5;
		DELETE FROM orders WHERE id = 10;
		UPDATE orders SET note = 'gone soon' WHERE id = 20;
		DELETE FROM orders WHERE id = 20;
		DELETE FROM orders WHERE id = 30;
		INSERT INTO orders VALUES (30, 'back', NULL, 30);
		UPDATE orders SET id = 2000, note = 'moved' WHERE id = 40;
		DELETE FROM "Hard ""Q""" WHERE id IN (3, 4);
		UPDATE "Hard ""Q""" SET id = 500 WHERE id = 5`)
	run := f.run(t)
	if run["cdc_lag_bytes"] == nil {
		t.Errorf("a cdc run shows no slot lag: %v", run)
	}
	if m := f.env.Do(t, http.MethodGet, "/metrics", "", nil); !strings.Contains(string(m.Body), "sluice_cdc_slot_lag_bytes{config_id=\""+cfg["id"].(string)) {
		t.Errorf("/metrics has no lag of the slot")
	}
	// A row whose key changed is the old key's delete and the new row.
	f.lakeIs(t, `SELECT count(*) AS a, string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FILTER (WHERE _sluice_deleted_at IS NOT NULL) AS b FROM cdc.orders`, "1002 10,20,40")
	f.lakeIs(t, `SELECT note AS a, n AS b FROM cdc.orders WHERE id = 2000`, "moved 40")
	f.lakeIs(t, `SELECT note AS a FROM cdc.orders WHERE id = 1`, "a-later")
	f.lakeIs(t, `SELECT note AS a, md5(big) AS b FROM cdc.orders WHERE id = 5`, "toast kept "+bigMD5)
	f.lakeIs(t, `SELECT note AS a, _sluice_deleted_at IS NULL AS b FROM cdc.orders WHERE id = 30`, "back true")
	f.lakeIs(t, `SELECT count(*) AS a, count(*) FILTER (WHERE id IN (3, 4, 5)) AS b FROM cdc.hard__q_`, "98 0")
	f.lakeIs(t, `SELECT count(*) AS a FROM cdc.hard__q_ WHERE id = 500`, "1")

	// Nothing changed: the next run reads and writes nothing (the slot
	// advanced past what was applied).
	for name, tb := range runTables(f.run(t)) {
		if fmt.Sprint(tb["rows_read"]) != "0" || fmt.Sprint(tb["rows"]) != "0" {
			t.Errorf("a run without changes: table %s %v", name, tb)
		}
	}

	// A truncate empties the lake table; rows after it stay. A widened
	// column takes its wider values.
	f.source(`TRUNCATE "Hard ""Q"""; INSERT INTO "Hard ""Q""" VALUES (1, 'after');
		ALTER TABLE orders ALTER COLUMN n TYPE bigint; UPDATE orders SET n = 5000000000 WHERE id = 2`)
	f.run(t)
	f.lakeIs(t, `SELECT count(*) AS a, min(v) AS b FROM cdc.hard__q_`, "1 after")
	f.lakeIs(t, `SELECT CAST(n AS VARCHAR) AS a FROM cdc.orders WHERE id = 2`, "5000000000")
}

// session is a connection to the source as its owner.
func (f cdcFixture) session(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, f.srv.URL("src"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(ctx) })
	mustExec(t, conn, "SET ROLE capture")
	return conn
}

func mustExec(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// TestCDCSyncRefusesSourcesThatCannotServeIt answers 422 saying what to
// change: wal_level, the REPLICATION privilege, a table without a key.
func TestCDCSyncRefusesSourcesThatCannotServeIt(t *testing.T) {
	f := newCDCFixture(t, `CREATE TABLE keyless (v int); CREATE TABLE ok (id int PRIMARY KEY)`)
	cdc := func(g syncFixture, tables ...any) testenv.Response {
		return g.configure(t, map[string]any{"dest_schema": "cdc", "schedule": "daily", "load_method": "cdc", "tables": tables})
	}
	expect := func(res testenv.Response, mention string) {
		t.Helper()
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), mention) {
			t.Errorf("got %d %s, want 422 mentioning %q", res.Status, res.Body, mention)
		}
	}
	expect(cdc(f.syncFixture, map[string]any{"name": "public.keyless", "primary_keys": []string{"v"}}), `table public.keyless has no primary key`)

	f.srv.Exec("postgres", "CREATE ROLE reader LOGIN")
	f.srv.Exec("src", "GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
	res := f.env.Do(t, http.MethodPost, "/v1/api/integrations", f.token, map[string]any{"type": "postgres", "name": "Reader", "credentials": f.srv.Credentials("src", "reader")})
	if res.Status != http.StatusCreated {
		t.Fatalf("create postgres: %d %s", res.Status, res.Body)
	}
	reader := f.syncFixture
	reader.id = res.JSON(t)["integration"].(map[string]any)["id"].(string)
	expect(cdc(reader, "public.ok"), `ALTER ROLE \"reader\" WITH REPLICATION`)
	expect(cdc(reader, "public.ok"), `does not own table public.ok`)

	// The machine's shared server runs with wal_level replica.
	shared := newSyncFixture(t)
	expect(cdc(shared, shared.schema+".users"), "set wal_level = logical")

	// Only Postgres has logical replication (Redshift answers the same way).
	res = f.env.Do(t, http.MethodPost, "/v1/api/integrations", f.token, map[string]any{"type": "mysql", "name": "Maria", "credentials": testenv.MySQLCredentials()})
	if res.Status != http.StatusCreated {
		t.Fatalf("create mysql: %d %s", res.Status, res.Body)
	}
	maria := f.syncFixture
	maria.id = res.JSON(t)["integration"].(map[string]any)["id"].(string)
	expect(cdc(maria, "mysql.user"), "not_supported")
}

// TestCDCSyncSlotGoneFailsClearlyAndReplayRecovers drops the slot behind
// sluice's back: the next run fails saying so and what to do, and a replay
// copies the tables again from a fresh slot. Deleting the sync drops the
// slot and publication at the source and says so.
func TestCDCSyncSlotGoneFailsClearlyAndReplayRecovers(t *testing.T) {
	f := newCDCFixture(t, `CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' FROM generate_series(1, 10) g`)
	cfg := f.configured(t, map[string]any{"dest_schema": "cdc", "schedule": "daily", "load_method": "cdc", "tables": []any{"public.t"}})
	f.run(t)
	slot := "sluice_" + strings.ReplaceAll(cfg["id"].(string), "-", "")
	f.srv.Exec("src", "SELECT pg_drop_replication_slot('"+slot+"')")
	f.source("INSERT INTO t VALUES (11, 'lost')")
	run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	if run["status"] != "failed" || !strings.Contains(fmt.Sprint(run["error"], runTables(run)), "was dropped") ||
		!strings.Contains(fmt.Sprint(runTables(run)), "replay") {
		t.Fatalf("run after the slot was dropped: %v", run)
	}
	replayed := f.runAndWait(t, "/v1/api/syncs/"+run["id"].(string)+"/replay", nil)
	if replayed["status"] != "succeeded" {
		t.Fatalf("replay: %v", replayed)
	}
	f.lakeIs(t, "SELECT count(*) AS a FROM cdc.t", "11")
	f.source("UPDATE t SET v = 'after replay' WHERE id = 1")
	f.run(t)
	f.lakeIs(t, "SELECT v AS a FROM cdc.t WHERE id = 1", "after replay")

	res := f.env.Do(t, http.MethodDelete, "/v1/api/integrations/"+f.id+"/sync", f.token, nil)
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"dropped":true`) {
		t.Fatalf("delete sync: %d %s", res.Status, res.Body)
	}
	if n := f.sourceValue(t, "SELECT count(*)::text FROM pg_replication_slots"); n != "0" {
		t.Errorf("slots left at the source: %s", n)
	}
	if n := f.sourceValue(t, "SELECT count(*)::text FROM pg_publication"); n != "0" {
		t.Errorf("publications left at the source: %s", n)
	}
}

// TestCDCSyncIncompatibleChangeFailsTheTableAndKeepsTheSlot changes a
// column's type to one the lake cannot widen to: the table fails saying
// so, the slot does not move, and the other table's changes still land.
func TestCDCSyncIncompatibleChangeFailsTheTableAndKeepsTheSlot(t *testing.T) {
	f := newCDCFixture(t, `CREATE TABLE a (id int PRIMARY KEY, v text); CREATE TABLE b (id int PRIMARY KEY, v int);
		INSERT INTO a VALUES (1, 'x'); INSERT INTO b VALUES (1, 1)`)
	f.configured(t, map[string]any{"dest_schema": "cdc", "schedule": "daily", "load_method": "cdc", "tables": []any{"public.a", "public.b"}})
	f.run(t)
	before := f.sourceValue(t, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots")
	f.source("ALTER TABLE b ALTER COLUMN v TYPE int[] USING ARRAY[v]; UPDATE b SET v = ARRAY[2]; INSERT INTO a VALUES (2, 'y')")
	run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	tables := runTables(run)
	if run["status"] != "partially_succeeded" || tables["public.b"]["status"] != "failed" || tables["public.a"]["status"] != "succeeded" {
		t.Fatalf("run after an incompatible change: %v", run)
	}
	if after := f.sourceValue(t, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots"); after != before {
		t.Errorf("the slot moved from %s to %s though a table failed", before, after)
	}
	f.lakeIs(t, "SELECT count(*) AS a FROM cdc.a", "2")
}

// TestCDCSyncLargeTransaction applies one transaction of a million rows
// (inserted, and a tenth of them updated and deleted in the same
// transaction), more than the run holds at once, so it reaches the lake in
// several commits before the slot advances.
func TestCDCSyncLargeTransaction(t *testing.T) {
	if testing.Short() {
		t.Skip("a million-row transaction takes a minute")
	}
	f := newCDCFixture(t, `CREATE TABLE big (id int PRIMARY KEY, v text)`)
	f.configured(t, map[string]any{"dest_schema": "cdc", "schedule": "daily", "load_method": "cdc", "delete_mode": "hard", "tables": []any{"public.big"}})
	f.run(t)
	f.source(`BEGIN; INSERT INTO big SELECT g, 'row ' || g FROM generate_series(1, 1000000) g;
		UPDATE big SET v = 'updated' WHERE id % 10 = 1; DELETE FROM big WHERE id % 10 = 2; COMMIT`)
	run := f.run(t)
	if tb := runTables(run)["public.big"]; tb["rows_read"] != float64(1_200_000) {
		t.Errorf("changes read: %v, want 1,200,000", tb["rows_read"])
	}
	f.lakeIs(t, "SELECT count(*) AS a, count(*) FILTER (WHERE v = 'updated') AS b, count(*) FILTER (WHERE id % 10 = 2) AS c FROM cdc.big", "900000 100000 0")
}

// TestCDCSyncTableNewToTheGlobSaysToReplay: a table created after the
// snapshot that a glob selects is not in the publication: it fails saying
// to replay, the other tables' changes still land and the slot moves on,
// and a replay takes it in.
func TestCDCSyncTableNewToTheGlobSaysToReplay(t *testing.T) {
	f := newCDCFixture(t, `CREATE TABLE a (id int PRIMARY KEY, v text); INSERT INTO a VALUES (1, 'x')`)
	f.configured(t, map[string]any{"dest_schema": "cdc", "schedule": "daily", "load_method": "cdc", "tables": []any{"public.*"}})
	f.run(t)
	f.source("CREATE TABLE late (id int PRIMARY KEY); INSERT INTO late VALUES (7); INSERT INTO a VALUES (2, 'y')")
	run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	tables := runTables(run)
	if run["status"] != "partially_succeeded" || !strings.Contains(fmt.Sprint(tables["public.late"]["error"]), "replay") || tables["public.a"]["status"] != "succeeded" {
		t.Fatalf("run after a new table: %v", run)
	}
	f.lakeIs(t, "SELECT count(*) AS a FROM cdc.a", "2")
	if again := runTables(f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)); again["public.a"]["rows_read"] != float64(0) {
		t.Errorf("the slot did not move past the applied changes: %v", again["public.a"])
	}
	if replayed := f.runAndWait(t, "/v1/api/syncs/"+run["id"].(string)+"/replay", nil); replayed["status"] != "succeeded" {
		t.Fatalf("replay: %v", replayed)
	}
	f.lakeIs(t, "SELECT count(*) AS a FROM cdc.late", "1")
}
