package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/service"
)

// configured configures f's sync with body, failing the test unless it is
// accepted, and returns the sync_config.
func (f syncFixture) configured(t *testing.T, body map[string]any) map[string]any {
	t.Helper()
	res := f.configure(t, body)
	if res.Status != http.StatusOK {
		t.Fatalf("configure %v: %d %s", body, res.Status, res.Body)
	}
	return res.JSON(t)["sync_config"].(map[string]any)
}

// waitRun polls a run until done says it has reached the state wanted.
func (f syncFixture) waitRun(t *testing.T, runID string, done func(run map[string]any) bool) map[string]any {
	t.Helper()
	var run map[string]any
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		run = f.env.Do(t, http.MethodGet, "/v1/api/syncs/"+runID, f.token, nil).JSON(t)["data"].(map[string]any)
		if done(run) {
			return run
		}
	}
	t.Fatalf("run %s did not reach the state wanted in time: %v", runID, run)
	return nil
}

// finished reports a run in one of the final states.
func finished(run map[string]any) bool {
	status, _ := run["status"].(string)
	return service.RunFinished(status)
}

// describeSchedule describes a config's Temporal Schedule.
func (f syncFixture) describeSchedule(t *testing.T, id string) (*client.ScheduleDescription, error) {
	t.Helper()
	ctx := context.Background()
	return f.env.Temporal.ScheduleClient().GetHandle(ctx, id).Describe(ctx)
}

// assertScheduleGone fails unless Temporal answers that the schedule does not exist.
func (f syncFixture) assertScheduleGone(t *testing.T, id string) {
	t.Helper()
	_, err := f.describeSchedule(t, id)
	var nf *serviceerror.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("schedule %s still exists (describe: %v)", id, err)
	}
}

// runTables returns a run's tables keyed by source table.
func runTables(run map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, tb := range run["tables"].([]any) {
		m := tb.(map[string]any)
		out[m["name"].(string)] = m
	}
	return out
}

// workflowMemo reads the memo of a workflow from Temporal's Describe.
func (f syncFixture) workflowMemo(t *testing.T, workflowID string) map[string]string {
	t.Helper()
	desc, err := f.env.Temporal.DescribeWorkflowExecution(context.Background(), workflowID, "")
	if err != nil {
		t.Fatalf("describe workflow %s: %v", workflowID, err)
	}
	memo := map[string]string{}
	for k, p := range desc.GetWorkflowExecutionInfo().GetMemo().GetFields() {
		var v string
		if err := converter.GetDefaultDataConverter().FromPayload(p, &v); err != nil {
			t.Fatalf("memo %s of %s: %v", k, workflowID, err)
		}
		memo[k] = v
	}
	return memo
}

func TestDeleteIntegrationRemovesItsSyncSchedule(t *testing.T) {
	f := newSyncFixture(t)
	cfg := f.configured(t, map[string]any{"dest_schema": "D", "schedule": "hourly", "tables": []any{f.schema + ".users"}})
	scheduleID := cfg["schedule_id"].(string)
	run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	if run["status"] != "succeeded" || run["temporal_ui_url"] != "" {
		t.Fatalf("run (no Temporal UI configured, so no link): %v", run)
	}

	if res := f.env.Do(t, http.MethodDelete, "/v1/api/integrations/"+f.id, env2Token(t, f), nil); res.Status != http.StatusNotFound {
		t.Fatalf("another team deletes the integration: %d %s", res.Status, res.Body)
	}
	if _, err := f.describeSchedule(t, scheduleID); err != nil {
		t.Fatalf("another team's delete removed the schedule: %v", err)
	}
	// The query itself is scoped to the team: another team's id deletes nothing.
	ids, err := db.New(f.env.Pool).SyncConfigDeleteByIntegration(context.Background(), db.SyncConfigDeleteByIntegrationParams{
		TeamID: uuid.New(), IntegrationID: uuid.MustParse(f.id)})
	if err != nil || len(ids) != 0 {
		t.Fatalf("delete with another team's id: %v %v", ids, err)
	}

	if res := f.env.Do(t, http.MethodDelete, "/v1/api/integrations/"+f.id, f.token, nil); res.Status != http.StatusOK {
		t.Fatalf("delete integration: %d %s", res.Status, res.Body)
	}
	f.assertScheduleGone(t, scheduleID)
	var configs, runs int
	err = f.env.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM sync_configs WHERE integration_id = $1),
		(SELECT count(*) FROM sync_runs WHERE integration_id = $1)`, f.id).Scan(&configs, &runs)
	if err != nil || configs != 0 || runs != 1 {
		t.Fatalf("after delete: %d sync configs (want 0), %d runs kept (want 1), %v", configs, runs, err)
	}
	if res := f.env.Do(t, http.MethodGet, "/v1/api/integrations/"+f.id+"/sync", f.token, nil); res.Status != http.StatusNotFound {
		t.Fatalf("sync config of a deleted integration: %d %s", res.Status, res.Body)
	}
}

func TestSyncCancelRunningRun(t *testing.T) {
	f := newSyncFixture(t)
	f.configured(t, map[string]any{"dest_schema": "D", "schedule": "daily", "tables": []any{f.schema + ".users"}})
	// An exclusive lock on the source table holds the copy in its read, so
	// the run is still running when it is cancelled.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback(ctx); _ = conn.Close(ctx) })
	if _, err := tx.Exec(ctx, "LOCK TABLE "+f.schema+".users IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}

	res := f.env.Do(t, http.MethodPost, "/v1/api/integrations/"+f.id+"/sync/run", f.token, nil)
	if res.Status != http.StatusAccepted {
		t.Fatalf("start run: %d %s", res.Status, res.Body)
	}
	runID := res.JSON(t)["data"].(map[string]any)["id"].(string)
	running := f.waitRun(t, runID, func(run map[string]any) bool {
		tb, ok := runTables(run)[f.schema+".users"]
		return run["status"] == "running" && ok && tb["status"] == "running"
	})
	if res := f.env.Do(t, http.MethodPost, "/v1/api/syncs/"+runID+"/cancel", env2Token(t, f), nil); res.Status != http.StatusNotFound {
		t.Fatalf("another team cancels the run: %d %s", res.Status, res.Body)
	}
	res = f.env.Do(t, http.MethodPost, "/v1/api/syncs/"+runID+"/cancel", f.token, nil)
	if res.Status != http.StatusAccepted || res.JSON(t)["cancel_requested"] != true {
		t.Fatalf("cancel: %d %s", res.Status, res.Body)
	}
	run := f.waitRun(t, runID, finished)
	if run["status"] != "cancelled" || run["finished_at"] == nil {
		t.Fatalf("cancelled run: %v", run)
	}
	if tb := runTables(run)[f.schema+".users"]; tb["status"] != "cancelled" {
		t.Fatalf("table of the cancelled run: %v", tb)
	}
	// The run is recorded before the workflow reports it and ends.
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_ = f.env.Temporal.GetWorkflow(waitCtx, running["workflow_id"].(string), "").Get(waitCtx, nil)
	desc, err := f.env.Temporal.DescribeWorkflowExecution(ctx, running["workflow_id"].(string), "")
	if err != nil || desc.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED {
		t.Fatalf("workflow after cancel: %v %v", desc.GetWorkflowExecutionInfo().GetStatus(), err)
	}
	if res := f.env.Do(t, http.MethodPost, "/v1/api/syncs/"+runID+"/cancel", f.token, nil); res.Status != http.StatusConflict {
		t.Fatalf("cancel a cancelled run: %d %s", res.Status, res.Body)
	}
}

func TestSyncPauseAndResume(t *testing.T) {
	f := newSyncFixture(t)
	if res := f.env.Do(t, http.MethodPost, "/v1/api/integrations/"+f.id+"/sync/pause", f.token, nil); res.Status != http.StatusNotFound {
		t.Fatalf("pause without a sync config: %d %s", res.Status, res.Body)
	}
	cfg := f.configured(t, map[string]any{"dest_schema": "D", "schedule": "hourly", "tables": []any{f.schema + ".users"}})
	scheduleID := cfg["schedule_id"].(string)
	if res := f.env.Do(t, http.MethodPost, "/v1/api/integrations/"+f.id+"/sync/pause", env2Token(t, f), nil); res.Status != http.StatusNotFound {
		t.Fatalf("another team pauses the sync: %d %s", res.Status, res.Body)
	}

	res := f.env.Do(t, http.MethodPost, "/v1/api/integrations/"+f.id+"/sync/pause", f.token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("pause: %d %s", res.Status, res.Body)
	}
	if paused := res.JSON(t)["sync_config"].(map[string]any); paused["paused"] != true || paused["next_run_at"] != nil {
		t.Fatalf("paused sync_config: %v", paused)
	}
	desc, err := f.describeSchedule(t, scheduleID)
	if err != nil || !desc.Schedule.State.Paused {
		t.Fatalf("schedule after pause: %+v %v", desc, err)
	}
	if got := f.env.Do(t, http.MethodGet, "/v1/api/integrations/"+f.id+"/sync", f.token, nil).JSON(t)["sync_config"].(map[string]any); got["paused"] != true {
		t.Fatalf("GET after pause: %v", got)
	}

	res = f.env.Do(t, http.MethodPost, "/v1/api/integrations/"+f.id+"/sync/resume", f.token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("resume: %d %s", res.Status, res.Body)
	}
	if resumed := res.JSON(t)["sync_config"].(map[string]any); resumed["paused"] != false || resumed["next_run_at"] == nil {
		t.Fatalf("resumed sync_config: %v", resumed)
	}
	desc, err = f.describeSchedule(t, scheduleID)
	if err != nil || desc.Schedule.State.Paused || len(desc.Info.NextActionTimes) == 0 {
		t.Fatalf("schedule after resume: %+v %v", desc, err)
	}
	// Posting the config again keeps the schedule as it is (paused or not).
	f.env.Do(t, http.MethodPost, "/v1/api/integrations/"+f.id+"/sync/pause", f.token, nil)
	if again := f.configured(t, map[string]any{"dest_schema": "D", "schedule": "daily", "tables": []any{f.schema + ".users"}}); again["paused"] != true {
		t.Fatalf("update of a paused config: %v", again)
	}
	if desc, err = f.describeSchedule(t, scheduleID); err != nil || !desc.Schedule.State.Paused || desc.Schedule.Spec.Intervals[0].Every != 24*time.Hour {
		t.Fatalf("schedule after updating a paused config: %+v %v", desc, err)
	}
}

func TestSyncConfigGetAndDelete(t *testing.T) {
	f := newSyncFixture(t)
	path := "/v1/api/integrations/" + f.id + "/sync"
	if res := f.env.Do(t, http.MethodGet, path, f.token, nil); res.Status != http.StatusNotFound {
		t.Fatalf("GET before configuring: %d %s", res.Status, res.Body)
	}
	cfg := f.configured(t, map[string]any{"dest_schema": "D", "schedule": "every_6_hours", "load_method": "merge", "tables": []any{
		f.schema + ".users", map[string]any{"name": f.schema + ".orders", "cursor_field": "id", "primary_keys": []any{"id"}},
	}})

	res := f.env.Do(t, http.MethodGet, path, f.token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET: %d %s", res.Status, res.Body)
	}
	got := res.JSON(t)["sync_config"].(map[string]any)
	tables, _ := json.Marshal(got["tables"])
	wantTables, _ := json.Marshal([]any{map[string]any{"name": f.schema + ".users"},
		map[string]any{"name": f.schema + ".orders", "cursor_field": "id", "primary_keys": []any{"id"}}})
	if got["id"] != cfg["id"] || got["integration_id"] != f.id || got["dest_schema"] != "D" || got["schedule"] != "every_6_hours" ||
		got["load_method"] != "merge" || got["schedule_id"] != "sync-schedule/"+cfg["id"].(string) || got["next_run_at"] == nil ||
		string(tables) != string(wantTables) {
		t.Fatalf("GET sync_config: %v (tables %s, want %s)", got, tables, wantTables)
	}
	scheduleID := got["schedule_id"].(string)
	if desc, err := f.describeSchedule(t, scheduleID); err != nil || desc.Schedule.Spec.Intervals[0].Every != 6*time.Hour {
		t.Fatalf("schedule: %+v %v", desc, err)
	}
	run := f.runAndWait(t, path+"/run", nil)

	if res := f.env.Do(t, http.MethodDelete, path, env2Token(t, f), nil); res.Status != http.StatusNotFound {
		t.Fatalf("another team deletes the sync config: %d %s", res.Status, res.Body)
	}
	if _, err := f.describeSchedule(t, scheduleID); err != nil {
		t.Fatalf("another team's delete removed the schedule: %v", err)
	}
	res = f.env.Do(t, http.MethodDelete, path, f.token, nil)
	if res.Status != http.StatusOK || res.JSON(t)["deleted"] != true {
		t.Fatalf("DELETE: %d %s", res.Status, res.Body)
	}
	f.assertScheduleGone(t, scheduleID)
	for _, c := range []struct{ method, path string }{{http.MethodGet, path}, {http.MethodDelete, path}, {http.MethodPost, path + "/run"}} {
		if res := f.env.Do(t, c.method, c.path, f.token, nil); res.Status != http.StatusNotFound {
			t.Fatalf("%s %s after delete: %d %s", c.method, c.path, res.Status, res.Body)
		}
	}
	history := f.env.Do(t, http.MethodGet, "/v1/api/integrations/"+f.id+"/syncs", f.token, nil).JSON(t)["data"].([]any)
	if len(history) != 1 || history[0].(map[string]any)["id"] != run["id"] {
		t.Fatalf("history after deleting the config: %v", history)
	}
}

func TestSyncGlobPicksUpTablesAddedLater(t *testing.T) {
	f := newSyncFixture(t)
	f.configured(t, map[string]any{"dest_schema": "G", "schedule": "daily", "load_method": "overwrite", "tables": []any{f.schema + ".*"}})
	first := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	if first["status"] != "succeeded" || len(first["tables"].([]any)) != 3 {
		t.Fatalf("first run: %v", first)
	}
	testenv.ExecPostgres(t, fmt.Sprintf(`CREATE TABLE %[1]s.added (id int PRIMARY KEY, v text);
		INSERT INTO %[1]s.added SELECT g, 'v' || g FROM generate_series(1, 7) g;`, f.schema))
	second := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	added, ok := runTables(second)[f.schema+".added"]
	if second["status"] != "succeeded" || len(second["tables"].([]any)) != 4 || !ok || added["status"] != "succeeded" || added["rows"] != 7.0 {
		t.Fatalf("second run did not copy the new table: %v", second)
	}
	if n := f.lakeRow(t, "SELECT count(*) AS n, sum(id) AS ids FROM G.added"); normalizeNumber(n["n"]) != 7.0 || normalizeNumber(n["ids"]) != 28.0 {
		t.Fatalf("lake G.added: %v", n)
	}
}

func TestSyncCursorReadsOnlyRowsPastIt(t *testing.T) {
	f := newSyncFixture(t)
	f.configured(t, map[string]any{"dest_schema": "C", "schedule": "daily", "load_method": "merge",
		"tables": []any{map[string]any{"name": f.schema + ".users", "cursor_field": "updated_at"}}})
	first := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	firstTable := runTables(first)[f.schema+".users"]
	if first["status"] != "succeeded" || firstTable["rows_read"] != 2000.0 || firstTable["cursor_field"] != "updated_at" ||
		firstTable["cursor_before"] != nil || firstTable["cursor_after"] == nil {
		t.Fatalf("first run: %v", first)
	}

	testenv.ExecPostgres(t, fmt.Sprintf(`
		UPDATE %[1]s.users SET email = 'silent' || id WHERE id <= 3;
		UPDATE %[1]s.users SET email = 'changed' || id, updated_at = '2030-01-01T00:00:00Z' WHERE id BETWEEN 11 AND 20;
		INSERT INTO %[1]s.users SELECT g, 'new' || g, 1, true, '2030-01-02T00:00:00Z' FROM generate_series(2001, 2005) g;`, f.schema))
	second := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	secondTable := runTables(second)[f.schema+".users"]
	before, _ := json.Marshal(secondTable["cursor_before"])
	firstAfter, _ := json.Marshal(firstTable["cursor_after"])
	after, _ := json.Marshal(secondTable["cursor_after"])
	if second["status"] != "succeeded" || secondTable["rows_read"] != 15.0 || string(before) != string(firstAfter) ||
		!strings.Contains(string(after), "2030-01-02") {
		t.Fatalf("second run read %v rows (want 15) with cursor %s → %s (want %s → 2030-01-02): %v",
			secondTable["rows_read"], before, after, firstAfter, second)
	}
	lake := f.lakeRow(t, `SELECT count(*) AS n, count(DISTINCT id) AS keys,
		sum(CASE WHEN email LIKE 'changed%' THEN 1 ELSE 0 END) AS changed,
		sum(CASE WHEN email LIKE 'silent%' THEN 1 ELSE 0 END) AS silent FROM C.users`)
	if normalizeNumber(lake["n"]) != 2005.0 || normalizeNumber(lake["keys"]) != 2005.0 ||
		normalizeNumber(lake["changed"]) != 10.0 || normalizeNumber(lake["silent"]) != 0.0 {
		t.Fatalf("lake after the incremental run: %v (want 2005 rows, 10 changed, no row changed without its cursor)", lake)
	}
}

func TestSyncReplayFailedTablesOrAll(t *testing.T) {
	f := newSyncFixture(t)
	f.configured(t, map[string]any{"dest_schema": "D", "schedule": "hourly", "load_method": "overwrite",
		"tables": []any{f.schema + ".users", f.schema + ".events"}})
	testenv.ExecPostgres(t, "ALTER TABLE "+f.schema+".events RENAME TO events_gone")
	failed := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	if failed["status"] != "partially_succeeded" {
		t.Fatalf("run with a missing table: %v", failed)
	}
	testenv.ExecPostgres(t, "ALTER TABLE "+f.schema+".events_gone RENAME TO events")
	// A replay runs with the configuration the run ran with, not today's.
	f.configured(t, map[string]any{"dest_schema": "E", "schedule": "hourly", "load_method": "overwrite", "tables": []any{f.schema + ".orders"}})

	replayPath := "/v1/api/syncs/" + failed["id"].(string) + "/replay"
	if res := f.env.Do(t, http.MethodPost, replayPath, f.token, map[string]any{"tables": "some"}); res.Status != http.StatusBadRequest {
		t.Fatalf("replay with tables \"some\": %d %s", res.Status, res.Body)
	}
	all := f.runAndWait(t, replayPath, map[string]any{"tables": "all"})
	tables := runTables(all)
	if all["status"] != "succeeded" || all["trigger"] != "replay" || all["replay_of"] != failed["id"] || len(tables) != 2 ||
		tables[f.schema+".users"]["dest_table"] != "D.users" || tables[f.schema+".events"]["dest_table"] != "D.events" {
		t.Fatalf("replay of all tables: %v", all)
	}
	onlyFailed := f.runAndWait(t, replayPath, nil)
	tables = runTables(onlyFailed)
	if onlyFailed["status"] != "succeeded" || onlyFailed["replay_of"] != failed["id"] || len(tables) != 1 || tables[f.schema+".events"] == nil {
		t.Fatalf("default replay: %v, want only the failed table", onlyFailed)
	}
	if n := f.lakeRow(t, "SELECT (SELECT count(*) FROM D.users) AS users, (SELECT count(*) FROM D.events) AS events"); normalizeNumber(n["users"]) != 2000.0 || normalizeNumber(n["events"]) != 300.0 {
		t.Fatalf("lake after the replays: %v", n)
	}
	res := f.env.Do(t, http.MethodPost, "/v1/api/syncs/"+all["id"].(string)+"/replay", f.token, nil)
	if res.Status != http.StatusBadRequest || res.JSON(t)["error"].(map[string]any)["field"] != "tables" {
		t.Fatalf("default replay of a run without failed tables: %d %s", res.Status, res.Body)
	}
}

func TestSyncRunsReadAsWhatTheyAreInTemporal(t *testing.T) {
	const uiURL = "http://temporal.test:8233"
	env := testenv.NewWith(t, func(o *service.Options) { o.TemporalUIURL = uiURL })
	token := env.Token(t, "acme")
	f := syncFixture{env: env, token: token, id: createPostgres(t, env, token, "pw"), schema: testenv.PostgresSchema(t, syncSource)}
	teamID, err := env.Service.EnsureTeam(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	cfg := f.configured(t, map[string]any{"dest_schema": "T", "schedule": "weekly", "tables": []any{f.schema + ".users"}})

	check := func(run map[string]any, trigger, idPattern string) {
		t.Helper()
		wid, _ := run["workflow_id"].(string)
		if !strings.HasPrefix(wid, idPattern) {
			t.Fatalf("%s run: workflow id %q, want %s…", trigger, wid, idPattern)
		}
		if want := uiURL + "/namespaces/default/workflows/" + url.PathEscape(wid); run["temporal_ui_url"] != want {
			t.Fatalf("%s run: temporal_ui_url %v, want %s", trigger, run["temporal_ui_url"], want)
		}
		memo := f.workflowMemo(t, wid)
		if memo["team_id"] != teamID.String() || memo["integration"] != "Production Database" || memo["trigger"] != trigger {
			t.Fatalf("%s run: memo %v", trigger, memo)
		}
	}
	manual := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	check(manual, "manual", "sync/"+f.id+"/"+manual["id"].(string))
	if manual["workflow_id"] != "sync/"+f.id+"/"+manual["id"].(string) {
		t.Fatalf("manual run: workflow id %v, want sync/<integration>/<run>", manual["workflow_id"])
	}
	replay := f.runAndWait(t, "/v1/api/syncs/"+manual["id"].(string)+"/replay", map[string]any{"tables": "all"})
	check(replay, "replay", "sync/"+f.id+"/"+replay["id"].(string))

	// A scheduled run, fired now: Temporal names it after the schedule's
	// action id and the time, and the run records itself.
	ctx := context.Background()
	if err := env.Temporal.ScheduleClient().GetHandle(ctx, cfg["schedule_id"].(string)).Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatalf("trigger the schedule: %v", err)
	}
	var scheduled map[string]any
	for deadline := time.Now().Add(90 * time.Second); scheduled == nil && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		history := f.env.Do(t, http.MethodGet, "/v1/api/integrations/"+f.id+"/syncs", f.token, nil).JSON(t)["data"].([]any)
		for _, h := range history {
			if run := h.(map[string]any); run["trigger"] == "schedule" && finished(run) {
				scheduled = run
			}
		}
	}
	if scheduled == nil || scheduled["status"] != "succeeded" {
		t.Fatalf("scheduled run: %v", scheduled)
	}
	check(scheduled, "schedule", "sync/"+f.id+"/scheduled")
}
