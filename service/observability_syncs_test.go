package service_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/observability"
	"github.com/sluice-dev/sluice/service"
)

func waitForRun(t *testing.T, svc *service.Service, team uuid.UUID, taskID string) service.TaskRunDetail {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := svc.GetTaskRun(ctx, team, taskID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != observability.StatusRunning {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s still running after 30s", taskID)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSyncRunsReportThemselves records sync runs through the Go API a sync
// workflow calls, and reads them back as task runs with lineage, schemas and
// a row count whose outlier is flagged.
func TestSyncRunsReportThemselves(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	team, err := env.Service.EnsureTeam(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	columns := []observability.Field{{Name: "id", Type: "bigint", Position: 0}, {Name: "total", Type: "numeric", Position: 1}}
	rowCounts := []int64{1000, 1020, 990, 1005, 1010, 998, 7}
	for i, rows := range rowCounts {
		run := service.SyncRunReport{RunID: fmt.Sprintf("run-%d", i), IntegrationName: "Production DB", IntegrationID: "3f2a9c1e-0000-4000-8000-000000000001"}
		tables := []service.SyncTableReport{
			{SourceSchema: "public", Table: "orders", DestSchema: "production_db", Columns: columns, RowCount: rows},
			{SourceSchema: "public", Table: "customers", DestSchema: "production_db", Columns: columns[:1], RowCount: 50},
		}
		if err := env.Service.ReportSyncFinished(ctx, team, run, tables, ""); err != nil {
			t.Fatalf("report sync run %d: %v", i, err)
		}
		waitForRun(t, env.Service, team, service.SyncTaskID(run.RunID))
	}

	last := waitForRun(t, env.Service, team, service.SyncTaskID("run-6"))
	// The run's end is recorded before its metrics are checked: wait for the check.
	for deadline := time.Now().Add(20 * time.Second); len(last.Anomalies) == 0 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		last = waitForRun(t, env.Service, team, service.SyncTaskID("run-6"))
	}
	if last.AppName != service.SyncApp || last.TaskName != "Production DB" || last.Status != observability.StatusSuccess {
		t.Fatalf("last run = %+v", last.TaskRun)
	}
	if len(last.Transformations) != 2 || len(last.Metrics) != 2 {
		t.Fatalf("last run reported %d transformations and %d metrics", len(last.Transformations), len(last.Metrics))
	}
	if len(last.Anomalies) != 1 || last.Anomalies[0].AssetName != "lake.production_db.orders" || last.Anomalies[0].Value != 7 {
		t.Fatalf("anomalies = %+v", last.Anomalies)
	}

	graph, err := env.Service.Lineage(ctx, team, service.LineageRequest{Dataset: "lake.production_db.orders", Direction: "upstream", Column: "total"})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range graph.Nodes {
		found = found || n.Name == "3f2a9c1e-0000-4000-8000-000000000001.public.orders"
	}
	if !found || len(graph.Edges) != 2 || graph.Edges[0].Columns[0] != "total" {
		t.Fatalf("column lineage of lake.production_db.orders.total = %+v", graph)
	}
	ds, err := env.Service.GetDataset(ctx, team, "lake.production_db.orders")
	if err != nil || len(ds.Versions) != 1 || len(ds.Versions[0].Fields) != 2 {
		t.Fatalf("lake table = %+v (%v)", ds, err)
	}
}

// TestFailedSyncRunReportsItsError ends a sync run with an error.
func TestFailedSyncRunReportsItsError(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	team, _ := env.Service.EnsureTeam(ctx, "acme")
	run := service.SyncRunReport{RunID: "broken", IntegrationName: "Warehouse"}
	if err := env.Service.ReportSyncFinished(ctx, team, run, nil, "connection refused"); err != nil {
		t.Fatal(err)
	}
	d := waitForRun(t, env.Service, team, service.SyncTaskID("broken"))
	if d.Status != observability.StatusFailed || d.Error != "connection refused" {
		t.Fatalf("run = %+v", d.TaskRun)
	}
	if err := env.Service.ReportSyncTable(ctx, team, service.SyncRunReport{RunID: "never-started", IntegrationName: "Warehouse"},
		service.SyncTableReport{SourceSchema: "s", Table: "t", DestSchema: "d"}); err == nil {
		t.Fatal("a table of a run that never started was recorded")
	}
}

// TestSyncRunIsRunningFromItsStart reports a sync run's start as the run
// starts and its end later: in between it is a running task of sluice-sync;
// a retried end report (and a start repeated after the end) records nothing
// twice.
func TestSyncRunIsRunningFromItsStart(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	team, _ := env.Service.EnsureTeam(ctx, "acme")
	startedAt := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	run := service.SyncRunReport{RunID: "live", IntegrationName: "Production DB", IntegrationID: "3f2a9c1e-0000-4000-8000-000000000002", StartedAt: startedAt}
	if _, err := env.Service.ReportSyncStarted(ctx, team, run); err != nil {
		t.Fatal(err)
	}
	live, err := env.Service.GetTaskRun(ctx, team, service.SyncTaskID("live"))
	if err != nil {
		t.Fatal(err)
	}
	if live.Status != observability.StatusRunning || live.AppName != service.SyncApp || live.TaskName != "Production DB" ||
		live.TaskType != "sync" || !live.StartedAt.Equal(startedAt) || live.EndedAt != nil {
		t.Fatalf("started run = %+v", live.TaskRun)
	}

	columns := []observability.Field{{Name: "id", Type: "bigint", Position: 0}}
	tables := []service.SyncTableReport{
		{SourceSchema: "public", Table: "orders", DestSchema: "production_db", Columns: columns, RowCount: 10},
		{SourceSchema: "public", Table: "customers", DestSchema: "production_db", Columns: columns, RowCount: 5},
	}
	for attempt := 0; attempt < 2; attempt++ { // the second is a retried activity
		if err := env.Service.ReportSyncFinished(ctx, team, run, tables, ""); err != nil {
			t.Fatalf("report end, attempt %d: %v", attempt, err)
		}
	}
	done := waitForRun(t, env.Service, team, service.SyncTaskID("live"))
	if _, err := env.Service.ReportSyncStarted(ctx, team, run); err != nil {
		t.Fatalf("start repeated after the end: %v", err)
	}
	again, err := env.Service.GetTaskRun(ctx, team, service.SyncTaskID("live"))
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != observability.StatusSuccess || again.Status != observability.StatusSuccess || !again.StartedAt.Equal(startedAt) {
		t.Fatalf("ended run = %+v, after a repeated start %+v", done.TaskRun, again.TaskRun)
	}
	if len(again.Transformations) != 2 || len(again.Metrics) != 2 || len(again.Datasets) != 4 {
		t.Fatalf("ended run reported %d transformations, %d metrics, %d datasets; want 2, 2, 4",
			len(again.Transformations), len(again.Metrics), len(again.Datasets))
	}
	for _, name := range []string{"lake.production_db.orders", "3f2a9c1e-0000-4000-8000-000000000002.public.orders"} {
		ds, err := env.Service.GetDataset(ctx, team, name)
		if err != nil || len(ds.Versions) != 1 {
			t.Fatalf("dataset %s = %+v (%v), want one schema version", name, ds, err)
		}
	}
}

// TestSyncTableReportedTwiceAtOnce: two attempts reporting one table at the
// same time (a retry overlapping a slow attempt) record one row count.
func TestSyncTableReportedTwiceAtOnce(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	team, _ := env.Service.EnsureTeam(ctx, "acme")
	run := service.SyncRunReport{RunID: "overlap", IntegrationName: "Warehouse"}
	if _, err := env.Service.ReportSyncStarted(ctx, team, run); err != nil {
		t.Fatal(err)
	}
	table := service.SyncTableReport{SourceSchema: "public", Table: "t", DestSchema: "w", RowCount: 3}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = env.Service.ReportSyncTable(ctx, team, run, table)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
	}
	d, err := env.Service.GetTaskRun(ctx, team, service.SyncTaskID("overlap"))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Metrics) != 1 || d.Metrics[0].Value != 3 {
		t.Fatalf("metrics = %+v, want one row count of 3", d.Metrics)
	}
}
