package workflows_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/observability"
	"github.com/sluice-dev/sluice/service"
)

// TestScheduledRunOfAGoneSourceFinishesFailed: a scheduled run whose source
// cannot be planned (its database was dropped) is recorded, finished as
// failed with the source's error after the planning attempts, and can be
// replayed.
func TestScheduledRunOfAGoneSourceFinishesFailed(t *testing.T) {
	l := newLiveSync(t)
	testenv.ExecPostgres(t, "DROP DATABASE "+l.database+" WITH (FORCE)")
	l.trigger(t)
	run := l.waitRun(t, finishedRun)
	if run.Status != "failed" || run.Trigger != "schedule" || run.Error == nil || !strings.Contains(*run.Error, l.database) || run.FinishedAt == nil {
		t.Fatalf("scheduled run of a gone source = %+v (error %v)", run.SyncRun, deref(run.Error))
	}
	task := l.waitTask(t, run.ID, func(d service.TaskRunDetail) bool { return d.Status != observability.StatusRunning })
	if task.Status != observability.StatusFailed || task.Error != *run.Error {
		t.Fatalf("reported run = %+v, want failed with %q", task.TaskRun, *run.Error)
	}
	if _, err := l.env.Service.ReplaySync(context.Background(), l.team, run.ID, true); err != nil {
		t.Fatalf("replay of the failed run: %v", err)
	}
}

// TestRunningSyncIsARunningTask: while a run copies its tables it is a
// running task of sluice-sync named after the integration; when it ends the
// task has succeeded with a transformation and a row count per table.
func TestRunningSyncIsARunningTask(t *testing.T) {
	l := newLiveSync(t)
	ctx := context.Background()
	// An exclusive lock on a source table holds its copy in its read.
	release := testenv.LockTable(t, l.database, "public.orders")

	started, err := l.env.Service.RunSync(ctx, l.team, l.source.ID)
	if err != nil {
		t.Fatal(err)
	}
	task := l.waitTask(t, started.ID, func(d service.TaskRunDetail) bool { return d.Status == observability.StatusRunning })
	if task.AppName != service.SyncApp || task.TaskName != "Production DB" || task.TaskType != "sync" {
		t.Fatalf("running sync as a task = %+v", task.TaskRun)
	}
	if run, err := l.env.Service.GetSyncRun(ctx, l.team, started.ID); err != nil || run.Status != "running" {
		t.Fatalf("sync run while its task shows running = %+v (%v)", run.SyncRun, err)
	}
	early := &activities.Syncs{Pool: l.env.Pool, Reporter: refusedReports{t}}
	err = early.ReportSyncRun(ctx, activities.ReportSyncRunInput{TeamID: l.team.String(), RunID: started.ID.String()})
	if err == nil || !strings.Contains(err.Error(), "has not finished") {
		t.Fatalf("the end report of a running run: %v, want it refused until the run finishes", err)
	}
	// The refusal is retried by design: benign, so the worker does not log it as an error.
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.NonRetryable() || appErr.Category() != temporal.ApplicationErrorCategoryBenign {
		t.Fatalf("the end report of a running run: %#v, want a retryable benign application error", err)
	}
	release()
	run := l.waitRun(t, finishedRun)
	if run.Status != "succeeded" {
		for _, tb := range run.Tables {
			t.Logf("table %s: %s %s", tb.SourceTable, tb.Status, deref(tb.Error))
		}
		t.Fatalf("run = %+v (error %s)", run.SyncRun, deref(run.Error))
	}
	if err := l.env.Temporal.GetWorkflow(ctx, activities.SyncReportWorkflowID(run.ID.String()), "").Get(ctx, nil); err != nil {
		t.Fatalf("the run's SyncReport workflow: %v", err)
	}
	task = l.waitTask(t, run.ID, func(d service.TaskRunDetail) bool { return d.Status != observability.StatusRunning })
	if task.Status != observability.StatusSuccess || len(task.Transformations) != 2 || len(task.Metrics) != 2 || !task.StartedAt.Equal(*run.StartedAt) {
		t.Fatalf("finished sync as a task = %+v with %d transformations and %d metrics (run started %v)",
			task.TaskRun, len(task.Transformations), len(task.Metrics), run.StartedAt)
	}
}

// refusedReports is a SyncReporter that no report may reach.
type refusedReports struct{ t *testing.T }

func (r refusedReports) ReportSyncStarted(context.Context, activities.SyncStart) error {
	r.t.Error("a sync start was reported")
	return nil
}

func (r refusedReports) ReportSyncFinished(context.Context, activities.SyncReport) error {
	r.t.Error("a sync end was reported")
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
