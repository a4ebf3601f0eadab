package lake_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/lake"
	lakesvc "github.com/sluice-dev/sluice/service/lake"
)

func TestMain(m *testing.M) { dbtest.RunAndDropTemplate(m) }

// appendRows writes one small append into a team's lake, as a sync would.
func appendRows(t *testing.T, lk *lake.Lake, table string, from, n int) {
	t.Helper()
	ctx := context.Background()
	cols := []connectors.Column{{Name: "id", Type: connectors.Scalar(connectors.KindInt)}, {Name: "v", Type: connectors.Scalar(connectors.KindString)}}
	w, err := lk.NewTableWriter(ctx, "raw", table, cols)
	if err != nil {
		t.Fatal(err)
	}
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{int64(from + i), fmt.Sprint("v", from+i)}
	}
	if err := w.WriteBatch(ctx, rows); err != nil {
		t.Fatal(err)
	}
	files, err := w.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lk.Commit(ctx, lake.CommitRequest{Schema: "raw", Table: table, Columns: cols, Method: lake.LoadAppend, Files: files}); err != nil {
		t.Fatal(err)
	}
}

// TestLakeBrowseAndMaintain browses a team's lake through the API (tables
// with owners and sizes, one table's columns, snapshot pages, another team
// seeing none of it), then maintains it with the LakeMaintenance workflow on
// the in-process Temporal: compaction leaves one file, expiry past the
// retention makes time travel to an expired snapshot a 410.
func TestLakeBrowseAndMaintain(t *testing.T) {
	e := testenv.New(t)
	ctx := context.Background()
	tok := e.Token(t, "acme")
	otherTok := e.Token(t, "other")
	teamID, err := e.Service.EnsureTeam(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	lakeRow, err := e.Service.TeamLake(ctx, teamID)
	if err != nil {
		t.Fatal(err)
	}
	lk, err := lake.Open(ctx, e.Pool, lake.CatalogSchemaFor(teamID), filepath.Join(e.DataDir, "lake", teamID.String()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		appendRows(t, lk, "events", i*10, 10)
	}
	appendRows(t, lk, "users", 0, 3)
	var integrationID, configID uuid.UUID
	if err := e.Pool.QueryRow(ctx, `INSERT INTO integrations (team_id, type, name) VALUES ($1, 'postgres', 'Production Database') RETURNING id`, teamID).Scan(&integrationID); err != nil {
		t.Fatal(err)
	}
	if err := e.Pool.QueryRow(ctx, `INSERT INTO sync_configs (team_id, integration_id, dest_integration_id, dest_schema, schedule, tables, load_method)
		VALUES ($1, $2, $3, 'RAW', 'daily', '["public.events"]', 'append') RETURNING id`, teamID, integrationID, lakeRow.ID).Scan(&configID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Pool.Exec(ctx, `INSERT INTO lake_table_owners (team_id, dest_schema, dest_table, config_id, integration_id, source_table)
		VALUES ($1, 'RAW', 'events', $2, $3, 'public.events')`, teamID, configID, integrationID); err != nil {
		t.Fatal(err)
	}

	res := e.Do(t, http.MethodGet, "/v1/api/lake/tables", tok, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("tables: %d %s", res.Status, res.Body)
	}
	tables := res.JSON(t)["tables"].([]any)
	if len(tables) != 2 {
		t.Fatalf("tables: %s", res.Body)
	}
	events := tables[0].(map[string]any)
	owner, _ := events["owner"].(map[string]any)
	if events["table"] != "events" || events["row_count"] != 50.0 || events["file_count"] != 5.0 || events["size_bytes"].(float64) <= 0 ||
		events["last_snapshot_id"] != 5.0 || owner == nil || owner["integration_id"] != integrationID.String() || owner["integration_name"] != "Production Database" {
		t.Fatalf("events: %s", res.Body)
	}
	if tables[1].(map[string]any)["owner"] != nil {
		t.Fatalf("users has an owner: %s", res.Body)
	}
	res = e.Do(t, http.MethodGet, "/v1/api/lake/tables/raw.events", tok, nil)
	if cols, _ := res.JSON(t)["columns"].([]any); res.Status != http.StatusOK || len(cols) != 2 {
		t.Fatalf("one table: %d %s", res.Status, res.Body)
	}
	for path, status := range map[string]int{
		"/v1/api/lake/tables/events":          http.StatusBadRequest,
		"/v1/api/lake/tables/raw.missing":     http.StatusNotFound,
		"/v1/api/lake/snapshots?limit=0":      http.StatusBadRequest,
		"/v1/api/lake/snapshots?limit=100000": http.StatusBadRequest,
		"/v1/api/lake/snapshots?before=x":     http.StatusBadRequest,
	} {
		if res := e.Do(t, http.MethodGet, path, tok, nil); res.Status != status {
			t.Fatalf("%s: %d %s, want %d", path, res.Status, res.Body, status)
		}
	}
	res = e.Do(t, http.MethodGet, "/v1/api/lake/snapshots?limit=2", tok, nil)
	page := res.JSON(t)
	if snaps := page["snapshots"].([]any); res.Status != http.StatusOK || len(snaps) != 2 || page["next_before"] != 5.0 ||
		snaps[0].(map[string]any)["id"] != 6.0 {
		t.Fatalf("snapshots: %d %s", res.Status, res.Body)
	}
	// The lake integration's schema discovery lists the same tables.
	if res := e.Do(t, http.MethodGet, "/v2/connection/"+lakeRow.ID.String()+"/schema/raw.events", tok, nil); res.Status != http.StatusOK ||
		!strings.Contains(string(res.Body), `"v"`) {
		t.Fatalf("lake /schema: %d %s", res.Status, res.Body)
	}
	if res := e.Do(t, http.MethodGet, "/v1/api/lake/tables", otherTok, nil); len(res.JSON(t)["tables"].([]any)) != 0 {
		t.Fatalf("another team sees the lake: %s", res.Body)
	}
	if res := e.Do(t, http.MethodGet, "/v1/api/lake/tables/raw.events", otherTok, nil); res.Status != http.StatusNotFound {
		t.Fatalf("another team reads a table: %d %s", res.Status, res.Body)
	}

	out, err := e.Lake.Maintain(ctx, teamID)
	if err != nil {
		t.Fatalf("maintain: %v", err)
	}
	if out.Compaction.Tables != 2 || out.Compaction.Compacted != 1 || out.Compaction.FilesBefore != 6 || out.Compaction.FilesAfter != 2 || out.Expiry.Expired != 0 {
		t.Fatalf("first maintenance: %+v", out)
	}
	// Age every snapshot but the latest past the retention.
	if _, err := e.Pool.Exec(ctx, fmt.Sprintf(`UPDATE %s.ducklake_snapshot SET snapshot_time = now() - interval '8 days' + snapshot_id * interval '1 second'
		WHERE snapshot_id < (SELECT max(snapshot_id) FROM %[1]s.ducklake_snapshot)`, lake.CatalogSchemaFor(teamID))); err != nil {
		t.Fatal(err)
	}
	out, err = e.Lake.Maintain(ctx, teamID)
	if err != nil {
		t.Fatalf("maintain: %v", err)
	}
	if out.Compaction.Compacted != 0 || out.Expiry.Expired != 7 || out.Expiry.OldestKept != 7 || out.Expiry.FilesScheduled != 5 {
		t.Fatalf("second maintenance: %+v", out)
	}
	res = e.Do(t, http.MethodPost, "/v1/query?snapshot=3", tok, map[string]any{"sql": "SELECT count(*) FROM raw.events", "integration_id": lakeRow.ID.String()})
	if res.Status != http.StatusGone || res.JSON(t)["error"].(map[string]any)["code"] != "gone" {
		t.Fatalf("time travel to an expired snapshot: %d %s", res.Status, res.Body)
	}
	res = e.Do(t, http.MethodPost, "/v1/query?snapshot=7", tok, map[string]any{"sql": "SELECT count(*) AS n FROM raw.events", "integration_id": lakeRow.ID.String()})
	if res.Status != http.StatusOK {
		t.Fatalf("time travel within retention: %d %s", res.Status, res.Body)
	}
}

// TestEnsureSchedules gives a team with a lake its maintenance schedule at
// the configured interval, and changes the interval of an existing one.
func TestEnsureSchedules(t *testing.T) {
	e := testenv.New(t)
	ctx := context.Background()
	teamID, err := e.Service.EnsureTeam(ctx, "sched-"+uuid.NewString()[:8])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.TeamLake(ctx, teamID); err != nil {
		t.Fatal(err)
	}
	h := e.Temporal.ScheduleClient().GetHandle(ctx, lakesvc.ScheduleID(teamID))
	t.Cleanup(func() { _ = h.Delete(context.Background()) })
	for _, every := range []time.Duration{time.Hour, 3 * time.Hour} {
		ls := lakesvc.New(e.Pool, e.Temporal, lakesvc.Options{DataDir: e.DataDir, TaskQueue: e.TaskQueue, MaintenanceInterval: every})
		if err := ls.EnsureSchedules(ctx); err != nil {
			t.Fatalf("ensure schedules: %v", err)
		}
		d, err := h.Describe(ctx)
		if err != nil {
			t.Fatalf("describe schedule: %v", err)
		}
		if iv := d.Schedule.Spec.Intervals; len(iv) != 1 || iv[0].Every != every {
			t.Fatalf("schedule intervals %+v, want every %s", iv, every)
		}
	}
}
