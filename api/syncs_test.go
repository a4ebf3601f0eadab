package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

const syncSource = `
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, score numeric(10,2), active boolean, updated_at timestamptz NOT NULL);
INSERT INTO users SELECT g, 'user' || g || '@example.com', g * 1.5, g % 3 = 0, timestamptz '2024-01-01' + g * interval '1 minute'
FROM generate_series(1, 2000) g;
CREATE TABLE orders (id bigint PRIMARY KEY, user_id int NOT NULL, amount numeric(12,2), note text);
INSERT INTO orders SELECT g, 1 + g % 2000, g * 0.25, CASE WHEN g % 7 = 0 THEN NULL ELSE 'n' || g END FROM generate_series(1, 5000) g;
CREATE TABLE events (at timestamptz, kind text);
INSERT INTO events SELECT timestamptz '2024-01-01' + g * interval '1 second', 'k' || (g % 5) FROM generate_series(1, 300) g;`

type syncFixture struct {
	env    *testenv.Env
	token  string
	id     string
	schema string
}

func newSyncFixture(t *testing.T) syncFixture {
	t.Helper()
	env := testenv.New(t)
	token := env.Token(t, "acme")
	schema := testenv.PostgresSchema(t, syncSource)
	return syncFixture{env: env, token: token, id: createPostgres(t, env, token, "pw"), schema: schema}
}

func (f syncFixture) configure(t *testing.T, body map[string]any) testenv.Response {
	t.Helper()
	return f.env.Do(t, http.MethodPost, "/v1/api/integrations/"+f.id+"/sync", f.token, body)
}

// runAndWait starts a run (or takes a started one) and waits until it finishes.
func (f syncFixture) runAndWait(t *testing.T, path string, body any) map[string]any {
	t.Helper()
	res := f.env.Do(t, http.MethodPost, path, f.token, body)
	if res.Status != http.StatusAccepted {
		t.Fatalf("start run: %d %s", res.Status, res.Body)
	}
	runID := res.JSON(t)["data"].(map[string]any)["id"].(string)
	// The server holds each request until the run finishes or 30 s pass.
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); {
		run := f.env.Do(t, http.MethodGet, "/v1/api/syncs/"+runID+"?wait=30s", f.token, nil).JSON(t)["data"].(map[string]any)
		if finished(run) {
			return run
		}
	}
	t.Fatalf("run %s did not finish in time", runID)
	return nil
}

// lakeRow runs SQL on the team's lake and returns the first row.
func (f syncFixture) lakeRow(t *testing.T, sql string) map[string]any {
	t.Helper()
	res := f.env.Do(t, http.MethodPost, "/v1/query", f.token, map[string]any{"sql": sql})
	if res.Status != http.StatusOK {
		t.Fatalf("lake query %q: %d %s", sql, res.Status, res.Body)
	}
	return res.JSON(t)["data"].([]any)[0].(map[string]any)
}

// sourceRow runs SQL on the source through sluice.
func (f syncFixture) sourceRow(t *testing.T, sql string) map[string]any {
	t.Helper()
	res := f.env.Do(t, http.MethodPost, "/v1/query", f.token, map[string]any{"sql": sql, "integration_id": f.id})
	if res.Status != http.StatusOK {
		t.Fatalf("source query %q: %d %s", sql, res.Status, res.Body)
	}
	return res.JSON(t)["data"].([]any)[0].(map[string]any)
}

const usersChecksum = "SELECT count(*) AS n, count(DISTINCT id) AS keys, sum(id) AS ids, sum(score) AS scores, max(email) AS top, sum(CASE WHEN active THEN 1 ELSE 0 END) AS actives FROM %s"

func TestSyncMergeIsExactAcrossRuns(t *testing.T) {
	f := newSyncFixture(t)
	res := f.configure(t, map[string]any{
		"dest_schema": "POSTGRES_DATA", "schedule": "daily", "load_method": "merge",
		"tables": []any{f.schema + ".users", f.schema + ".orders"},
	})
	if res.Status != http.StatusOK {
		t.Fatalf("configure: %d %s", res.Status, res.Body)
	}
	cfg := res.JSON(t)["sync_config"].(map[string]any)
	if cfg["next_run_at"] == nil || cfg["load_method"] != "merge" || cfg["schedule_id"] == "" {
		t.Fatalf("sync_config: %v", cfg)
	}
	desc, err := f.env.Temporal.ScheduleClient().GetHandle(context.Background(), cfg["schedule_id"].(string)).Describe(context.Background())
	if err != nil || len(desc.Schedule.Spec.Intervals) != 1 || desc.Schedule.Spec.Intervals[0].Every != 24*time.Hour {
		t.Fatalf("temporal schedule: %+v %v", desc, err)
	}

	first := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	if first["status"] != "succeeded" {
		t.Fatalf("first run: %v", first)
	}
	assertSameRow(t, f.sourceRow(t, fmt.Sprintf(usersChecksum, f.schema+".users")), f.lakeRow(t, fmt.Sprintf(usersChecksum, "POSTGRES_DATA.users")))

	testenv.ExecPostgres(t, fmt.Sprintf(`UPDATE %[1]s.users SET score = score + 1000, email = 'changed' || id WHERE id %% 100 = 0;
		INSERT INTO %[1]s.users SELECT g, 'new' || g, 1, true, now() FROM generate_series(2001, 2020) g;`, f.schema))
	second := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	if second["status"] != "succeeded" {
		t.Fatalf("second run: %v", second)
	}
	assertSameRow(t, f.sourceRow(t, fmt.Sprintf(usersChecksum, f.schema+".users")), f.lakeRow(t, fmt.Sprintf(usersChecksum, "POSTGRES_DATA.users")))
	orders := "SELECT count(*) AS n, sum(amount) AS total, count(note) AS notes FROM %s"
	assertSameRow(t, f.sourceRow(t, fmt.Sprintf(orders, f.schema+".orders")), f.lakeRow(t, fmt.Sprintf(orders, "POSTGRES_DATA.orders")))

	history := f.env.Do(t, http.MethodGet, "/v1/api/integrations/"+f.id+"/syncs?limit=50", f.token, nil).JSON(t)["data"].([]any)
	if len(history) != 2 || history[0].(map[string]any)["id"] != second["id"] {
		t.Fatalf("history: %v", history)
	}
	for _, tb := range second["tables"].([]any) {
		m := tb.(map[string]any)
		if m["status"] != "succeeded" || m["snapshot_id"] == nil || m["rows"].(float64) <= 0 {
			t.Fatalf("table figures: %v", m)
		}
	}
	if !strings.HasPrefix(second["workflow_id"].(string), "sync/"+f.id+"/") {
		t.Fatalf("workflow id %v does not read as sync/<integration>/<run>", second["workflow_id"])
	}

	// The run reported itself: a task run of sluice-sync with lineage from
	// the source table to the lake table.
	// The report follows the recorded outcome (the task run may show as
	// running first), so give it a moment on a loaded machine.
	var task testenv.Response
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		task = f.env.Do(t, http.MethodGet, "/api/tasks/sync-"+second["id"].(string), f.token, nil)
		if task.Status == http.StatusOK && strings.Contains(string(task.Body), "lake.POSTGRES_DATA.users") {
			break
		}
	}
	if task.Status != http.StatusOK || !strings.Contains(string(task.Body), "lake.POSTGRES_DATA.users") {
		t.Fatalf("sync run as a task: %d %s", task.Status, task.Body)
	}
	lineage := f.env.Do(t, http.MethodGet, "/api/lineage?dataset=lake.POSTGRES_DATA.users&direction=upstream&depth=3", f.token, nil)
	if lineage.Status != http.StatusOK || !strings.Contains(string(lineage.Body), "."+f.schema+".users") {
		t.Fatalf("lineage of the synced table: %d %s", lineage.Status, lineage.Body)
	}
}

func TestSyncConfigRefusesBadInput(t *testing.T) {
	f := newSyncFixture(t)
	base := func() map[string]any {
		return map[string]any{"dest_schema": "DATA", "schedule": "daily", "tables": []any{f.schema + ".users"}}
	}
	cases := []struct {
		name    string
		change  func(map[string]any)
		mention string
	}{
		{"unknown schedule", func(b map[string]any) { b["schedule"] = "monthly" }, "schedule"},
		{"bad cron", func(b map[string]any) { b["schedule"] = "cron:99 * * * *" }, "cron"},
		{"bad glob", func(b map[string]any) { b["tables"] = []any{f.schema + ".[oops"} }, "pattern"},
		{"bad dest schema", func(b map[string]any) { b["dest_schema"] = "drop table;" }, "dest_schema"},
		{"merge without a key", func(b map[string]any) { b["tables"] = []any{f.schema + ".*"} }, "events has no primary key"},
		{"unknown table", func(b map[string]any) { b["tables"] = []any{f.schema + ".nope"} }, "does not exist"},
		{"unknown load method", func(b map[string]any) { b["load_method"] = "upsert" }, "load_method"},
		{"no tables", func(b map[string]any) { b["tables"] = []any{} }, "tables"},
		{"bad cursor field", func(b map[string]any) {
			b["tables"] = []any{map[string]any{"name": f.schema + ".users", "cursor_field": "nope"}}
		}, "cursor_field"},
		{"cursor with overwrite", func(b map[string]any) {
			b["load_method"] = "overwrite"
			b["tables"] = []any{map[string]any{"name": f.schema + ".users", "cursor_field": "id"}}
		}, "use merge or append"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := base()
			tc.change(body)
			res := f.configure(t, body)
			if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), tc.mention) {
				t.Fatalf("got %d %s, want 400 mentioning %q", res.Status, res.Body, tc.mention)
			}
		})
	}
	ok := base()
	ok["tables"] = []any{f.schema + ".*"}
	ok["load_method"] = "append"
	if res := f.configure(t, ok); res.Status != http.StatusOK {
		t.Fatalf("append of a glob with a keyless table: %d %s", res.Status, res.Body)
	}
	if res := f.env.Do(t, http.MethodGet, "/v1/api/integrations/"+f.id+"/sync", env2Token(t, f), nil); res.Status != http.StatusNotFound {
		t.Fatalf("another team reads the sync config: %d", res.Status)
	}
}

func env2Token(t *testing.T, f syncFixture) string { return f.env.Token(t, "intruder") }

func TestSyncReplayRunsTheFailedTables(t *testing.T) {
	f := newSyncFixture(t)
	if res := f.configure(t, map[string]any{"dest_schema": "D", "schedule": "hourly", "load_method": "overwrite",
		"tables": []any{f.schema + ".users", f.schema + ".events"}}); res.Status != http.StatusOK {
		t.Fatalf("configure: %d %s", res.Status, res.Body)
	}
	testenv.ExecPostgres(t, "ALTER TABLE "+f.schema+".events RENAME TO events_gone")
	failed := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	if failed["status"] != "partially_succeeded" {
		t.Fatalf("run with a missing table: %v", failed)
	}
	if msg, _ := runTables(failed)[f.schema+".events"]["error"].(string); !strings.Contains(msg, "does not exist in the source") {
		t.Fatalf("the missing table's error: %q", msg)
	}
	testenv.ExecPostgres(t, "ALTER TABLE "+f.schema+".events_gone RENAME TO events")
	replay := f.runAndWait(t, "/v1/api/syncs/"+failed["id"].(string)+"/replay", nil)
	if replay["status"] != "succeeded" || replay["trigger"] != "replay" || replay["replay_of"] != failed["id"] {
		t.Fatalf("replay: %v", replay)
	}
	if tables := replay["tables"].([]any); len(tables) != 1 || tables[0].(map[string]any)["name"] != f.schema+".events" {
		t.Fatalf("replay copied %v, want only the failed table", tables)
	}
	if n := f.lakeRow(t, "SELECT count(*) AS n FROM D.events")["n"]; n != 300.0 {
		t.Fatalf("lake events after replay: %v", n)
	}
	if res := f.env.Do(t, http.MethodPost, "/v1/api/syncs/"+replay["id"].(string)+"/cancel", f.token, nil); res.Status != http.StatusConflict {
		t.Fatalf("cancel a finished run: %d %s", res.Status, res.Body)
	}
}

func assertSameRow(t *testing.T, source, lake map[string]any) {
	t.Helper()
	for k, v := range source {
		if fmt.Sprint(normalizeNumber(lake[k])) != fmt.Sprint(normalizeNumber(v)) {
			t.Errorf("%s: lake %v, source %v", k, lake[k], v)
		}
	}
}

// normalizeNumber compares decimals and floats by value ("3000.00" = 3000).
func normalizeNumber(v any) any {
	var f float64
	switch x := v.(type) {
	case string:
		if _, err := fmt.Sscanf(x, "%g", &f); err == nil && !strings.ContainsAny(x, "@abcdefghijklmnopqrstuvwxyz") {
			return f
		}
	case float64:
		return x
	}
	return v
}
