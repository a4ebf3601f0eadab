package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
)

// SyncReport reports a finished sync run to pipeline observability: each
// copied table as a transformation with lineage, then the run's end. The
// run's workflow starts it once the outcome is recorded and does not wait
// for it; a report that fails for good is a failed SyncReport in the
// Temporal UI (workflow id activities.SyncReportWorkflowID), never a failed run.
func SyncReport(ctx workflow.Context, in activities.ReportSyncRunInput) error {
	var syncs *activities.Syncs
	reportCtx := workflow.WithActivityOptions(ctx, syncReportOptions)
	return workflow.ExecuteActivity(reportCtx, syncs.ReportSyncRun, in).Get(ctx, nil)
}
