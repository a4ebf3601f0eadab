package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// deleteSource has a table per delete mode, each with ids 1..500 and a
// cursor column u.
const deleteSource = `
CREATE TABLE soft_t (id int PRIMARY KEY, v text, u timestamptz DEFAULT clock_timestamp());
CREATE TABLE hard_t (id int PRIMARY KEY, v text, u timestamptz DEFAULT clock_timestamp());
CREATE TABLE keep_t (id int PRIMARY KEY, v text, u timestamptz DEFAULT clock_timestamp());
INSERT INTO soft_t SELECT g, 'v' || g FROM generate_series(1, 500) g;
INSERT INTO hard_t SELECT g, 'v' || g FROM generate_series(1, 500) g;
INSERT INTO keep_t SELECT g, 'v' || g FROM generate_series(1, 500) g;`

// deleteModeTables configures soft_t with the sync's default (soft for a new
// merge), hard_t with hard and keep_t with keep, each with the cursor field
// when there is one.
func deleteModeTables(schema, cursor string) []any {
	tables := []any{map[string]any{"name": schema + ".soft_t"},
		map[string]any{"name": schema + ".hard_t", "delete_mode": "hard"},
		map[string]any{"name": schema + ".keep_t", "delete_mode": "keep"}}
	for _, t := range tables {
		if cursor != "" {
			t.(map[string]any)["cursor_field"] = cursor
		}
	}
	return tables
}

// assertDeleteModes checks the lake after ids 10, 20 and 30 were deleted at
// the source (and, with back, 20 was inserted again).
func assertDeleteModes(t *testing.T, f syncFixture, dest string, back bool) {
	t.Helper()
	marked := "10,30"
	if !back {
		marked = "10,20,30"
	}
	want := map[string]map[string]any{
		"soft_t": {"n": 500, "marked": marked},
		"hard_t": {"n": 500 - len(strings.Split(marked, ",")), "marked": nil},
		"keep_t": {"n": 500, "marked": nil},
	}
	for table, w := range want {
		marks := "NULL"
		if table == "soft_t" {
			marks = "string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FILTER (WHERE _sluice_deleted_at IS NOT NULL)"
		}
		got := f.lakeRow(t, fmt.Sprintf("SELECT count(*) AS n, count(DISTINCT id) AS keys, %s AS marked FROM %s.%s", marks, dest, table))
		if fmt.Sprint(got["n"]) != fmt.Sprint(w["n"]) || fmt.Sprint(got["keys"]) != fmt.Sprint(w["n"]) || fmt.Sprint(got["marked"]) != fmt.Sprint(w["marked"]) {
			t.Errorf("%s: got %v, want %v", table, got, w)
		}
	}
}

// runDeleteModes syncs the delete mode tables, deletes rows at the source,
// syncs, brings one back, syncs. Without a cursor every merge reads the
// whole table and the lake finds deletes among the rows it left behind;
// with one, merges read only newer rows and detection reads the source's
// keys: both must end the same.
func runDeleteModes(t *testing.T, f syncFixture, dest, cursor string, exec func(string)) {
	t.Helper()
	res := f.configure(t, map[string]any{"dest_schema": dest, "schedule": "daily", "tables": deleteModeTables(f.schema, cursor)})
	if res.Status != http.StatusOK {
		t.Fatalf("configure: %d %s", res.Status, res.Body)
	}
	if cfg := res.JSON(t)["sync_config"].(map[string]any); cfg["delete_mode"] != "soft" {
		t.Fatalf("a new merge configuration's delete_mode: %v", cfg["delete_mode"])
	}
	run := func() {
		t.Helper()
		if r := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil); r["status"] != "succeeded" {
			t.Fatalf("run: %v", r)
		}
	}
	run()
	for _, table := range []string{"soft_t", "hard_t", "keep_t"} {
		exec(fmt.Sprintf("DELETE FROM %s.%s WHERE id IN (10, 20, 30)", f.schema, table))
	}
	run()
	assertDeleteModes(t, f, dest, false)
	for _, table := range []string{"soft_t", "hard_t", "keep_t"} {
		exec(fmt.Sprintf("INSERT INTO %s.%s (id, v) VALUES (20, 'back')", f.schema, table))
	}
	run()
	assertDeleteModes(t, f, dest, true)
	if got := f.lakeRow(t, "SELECT v FROM "+dest+".soft_t WHERE id = 20"); got["v"] != "back" {
		t.Errorf("a row back at the source: %v", got)
	}
}

func TestSyncDeletesReachTheLakeFromPostgres(t *testing.T) {
	f := newSyncFixture(t)
	f.schema = testenv.PostgresSchema(t, deleteSource)
	runDeleteModes(t, f, "PG_DELETES", "", func(sql string) { testenv.ExecPostgres(t, sql) })
}

func TestSyncDeletesReachTheLakeWithACursor(t *testing.T) {
	f := newSyncFixture(t)
	f.schema = testenv.PostgresSchema(t, deleteSource)
	runDeleteModes(t, f, "PG_CURSOR_DELETES", "u", func(sql string) { testenv.ExecPostgres(t, sql) })
}

func TestSyncDeletesReachTheLakeFromMariaDB(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	admin := mariaAdmin(t)
	name := "del_" + randomHex(t)
	exec := func(sql string) {
		t.Helper()
		if _, err := admin.ExecContext(context.Background(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec("CREATE DATABASE " + name)
	t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE IF EXISTS " + name) })
	for _, table := range []string{"soft_t", "hard_t", "keep_t"} {
		exec(fmt.Sprintf("CREATE TABLE %s.%s (id int PRIMARY KEY, v varchar(20), u timestamp(6) DEFAULT CURRENT_TIMESTAMP(6))", name, table))
		exec(fmt.Sprintf("INSERT INTO %s.%s (id, v) SELECT seq, CONCAT('v', seq) FROM %s.seq_1_to_500", name, table, name))
	}
	f := syncFixture{env: env, token: token, id: createMaria(t, env, token, name), schema: name}
	runDeleteModes(t, f, "MARIA_DELETES", "", exec)
}

func TestSyncDeleteModeInput(t *testing.T) {
	f := newSyncFixture(t)
	body := func(change func(map[string]any)) map[string]any {
		b := map[string]any{"dest_schema": "DATA", "schedule": "daily", "tables": []any{f.schema + ".users"}}
		change(b)
		return b
	}
	for name, tc := range map[string]struct {
		change  func(map[string]any)
		mention string
	}{
		"unknown mode":     {func(b map[string]any) { b["delete_mode"] = "purge" }, "keep, hard or soft"},
		"hard with append": {func(b map[string]any) { b["delete_mode"], b["load_method"] = "hard", "append" }, "merge and cdc only"},
		"soft with overwrite": {func(b map[string]any) {
			b["load_method"] = "overwrite"
			b["tables"] = []any{map[string]any{"name": f.schema + ".users", "delete_mode": "soft"}}
		}, "tables[0].delete_mode"},
		"unknown table mode": {func(b map[string]any) {
			b["tables"] = []any{map[string]any{"name": f.schema + ".users", "delete_mode": "HARD"}}
		}, "keep, hard or soft"},
	} {
		t.Run(name, func(t *testing.T) {
			res := f.configure(t, body(tc.change))
			if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), tc.mention) {
				t.Fatalf("got %d %s, want 400 mentioning %q", res.Status, res.Body, tc.mention)
			}
		})
	}
	mode := func(b map[string]any) any {
		t.Helper()
		res := f.configure(t, b)
		if res.Status != http.StatusOK {
			t.Fatalf("configure: %d %s", res.Status, res.Body)
		}
		return res.JSON(t)["sync_config"].(map[string]any)["delete_mode"]
	}
	if got := mode(body(func(b map[string]any) { b["load_method"] = "append" })); got != "keep" {
		t.Fatalf("append's delete_mode: %v", got)
	}
	if got := mode(body(func(b map[string]any) { b["delete_mode"] = "keep" })); got != "keep" {
		t.Fatalf("explicit keep: %v", got)
	}
	// A stored merge configuration (as the migration left those made before
	// delete modes: keep) keeps its mode when posted again without one.
	if got := mode(body(func(map[string]any) {})); got != "keep" {
		t.Fatalf("a stored configuration's mode changed to %v", got)
	}
	if got := f.env.Do(t, http.MethodGet, "/v1/api/integrations/"+f.id+"/sync", f.token, nil).JSON(t)["sync_config"].(map[string]any); got["delete_mode"] != "keep" {
		t.Fatalf("GET sync: %v", got)
	}
}

// createMaria creates a mysql integration of a database on the local
// MariaDB server and returns its id.
func createMaria(t testing.TB, env *testenv.Env, token, database string) string {
	t.Helper()
	creds := testenv.MySQLCredentials()
	creds["database"] = database
	res := env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{"type": "mysql", "name": "Maria", "credentials": creds})
	if res.Status != http.StatusCreated {
		t.Fatalf("create mysql: %d %s", res.Status, res.Body)
	}
	return res.JSON(t)["integration"].(map[string]any)["id"].(string)
}
