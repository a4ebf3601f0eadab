package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/sluice-dev/sluice/alerts"
	"github.com/sluice-dev/sluice/db"
)

// Alerts runs the alert dispatcher on a worker.
type Alerts struct {
	// Dispatcher sends the queued deliveries; its zero fields take their
	// defaults.
	Dispatcher *alerts.Dispatcher
}

// DispatchAlertsInput says how long one dispatch activity runs before it
// hands over (the workflow starts the next, keeping its history short).
type DispatchAlertsInput struct {
	For time.Duration `json:"for"`
}

// DispatchAlerts sends deliveries for in.For, heartbeating after each
// round. When the worker dies, Temporal starts it again on another worker
// once the heartbeat times out; deliveries it was sending are sent again
// when their leases run out, and their log counts the possible duplicate.
func (a *Alerts) DispatchAlerts(ctx context.Context, in DispatchAlertsInput) error {
	run, cancel := context.WithTimeout(ctx, max(in.For, time.Second))
	defer cancel()
	if err := a.Dispatcher.Run(run, func() { activity.RecordHeartbeat(ctx) }); err != nil {
		return fmt.Errorf("dispatch alerts: %w", err)
	}
	return ctx.Err() // a cancelled activity says so; its time running out is success
}

// emitSyncRunEnd emits the alert event of a run that ended failed or
// partially succeeded; other outcomes tell no one.
func emitSyncRunEnd(ctx context.Context, q *db.Queries, links alerts.LinkBase, run db.SyncRun) error {
	kind := map[string]string{"failed": alerts.SyncRunFailed, "partially_succeeded": alerts.SyncRunPartiallySucceeded}[run.Status]
	if kind == "" {
		return nil
	}
	name := run.IntegrationID.String()
	if in, err := q.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: run.TeamID, ID: run.IntegrationID}); err == nil {
		name = in.Name
	}
	outcome := "failed"
	if run.Status == "partially_succeeded" {
		outcome = "partially succeeded"
	}
	summary := fmt.Sprintf("Sync of %q %s", name, outcome)
	if run.Error != nil && *run.Error != "" {
		summary += ": " + *run.Error
	}
	_, err := alerts.Emit(ctx, q, alerts.Event{
		TeamID: run.TeamID, Kind: kind, DedupKey: kind + ":" + run.ID.String(), Summary: summary,
		Subject: map[string]any{
			"integration_id": run.IntegrationID, "integration_name": name, "run_id": run.ID, "status": run.Status,
			"trigger": run.Trigger, "rows_read": run.RowsRead, "rows_written": run.RowsWritten, "workflow_id": run.WorkflowID,
		},
		Links:         links.SyncRun(run.IntegrationID.String(), run.ID.String(), run.WorkflowID),
		IntegrationID: run.IntegrationID, OccurredAt: deref(run.FinishedAt),
	})
	return err
}

// emitTaskRunEnd emits the alert event of a task run that failed or timed out.
func emitTaskRunEnd(ctx context.Context, q *db.Queries, links alerts.LinkBase, run db.ObsTaskRun) error {
	kind := map[string]string{"failed": alerts.TaskRunFailed, "timed_out": alerts.TaskRunTimedOut}[run.Status]
	if kind == "" {
		return nil
	}
	summary := fmt.Sprintf("Task %q of %q %s", run.TaskName, run.AppName, map[string]string{"failed": "failed", "timed_out": "timed out"}[run.Status])
	if run.Error != "" {
		summary += ": " + run.Error
	}
	_, err := alerts.Emit(ctx, q, alerts.Event{
		TeamID: run.TeamID, Kind: kind, DedupKey: fmt.Sprintf("%s:%d", kind, run.ID), Summary: summary,
		Subject: map[string]any{
			"task_run_id": run.ID, "task_id": run.TaskID, "app_name": run.AppName, "task_name": run.TaskName,
			"env": run.Env, "status": run.Status, "duration_ms": run.DurationMs, "workflow_id": run.WorkflowID,
		},
		Links: links.TaskRun(run.TaskID, run.WorkflowID),
		App:   run.AppName, TaskID: run.TaskID, OccurredAt: deref(run.EndedAt),
	})
	return err
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
