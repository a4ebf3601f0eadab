package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
)

// captureChanges runs a cdc run's tables in one CaptureChanges activity
// (they share one replication slot) and returns the tables that failed:
// those with a planning problem, those the activity reports, or all of them
// when it fails as a whole. A replay takes a fresh snapshot.
func captureChanges(ctx workflow.Context, in SyncInput, plan activities.SyncPlan, opts workflow.ActivityOptions) []activities.TableFailure {
	var syncs *activities.Syncs
	var failures []activities.TableFailure
	var tables []activities.TablePlan
	for _, t := range plan.Tables {
		if t.Problem != "" {
			failures = append(failures, activities.TableFailure{Table: t.Source.String(), Status: "failed", Error: t.Problem})
			continue
		}
		tables = append(tables, t)
	}
	if len(tables) == 0 {
		return failures
	}
	var out activities.CaptureChangesOutput
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), syncs.CaptureChanges, activities.CaptureChangesInput{
		TeamID: in.TeamID, IntegrationID: in.IntegrationID, RunID: plan.RunID, ConfigID: plan.ConfigID,
		DestSchema: plan.DestSchema, Tables: tables, Resnapshot: in.Trigger == "replay",
	}).Get(ctx, &out)
	if err != nil {
		status := "failed"
		if temporal.IsCanceledError(err) {
			status = "cancelled"
		}
		for _, t := range tables {
			failures = append(failures, activities.TableFailure{Table: t.Source.String(), Status: status, Error: rootMessage(err)})
		}
		return failures
	}
	return append(failures, out.Failures...)
}
