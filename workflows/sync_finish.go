package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
)

// finishRun records the run's outcome, even when the run was cancelled, and
// then reports it to pipeline observability.
func finishRun(ctx workflow.Context, in SyncInput, run startedRun, plan activities.SyncPlan, failures []activities.TableFailure, runErr error) (SyncOutput, error) {
	status, message := runStatus(len(plan.Tables), failures, runErr)
	finishCtx := bookkeepingContext(ctx)
	var syncs *activities.Syncs
	err := workflow.ExecuteActivity(finishCtx, syncs.FinishSyncRun, activities.FinishSyncRunInput{
		TeamID: in.TeamID, RunID: plan.RunID, Status: status, Error: message, Failures: failures,
	}).Get(finishCtx, nil)
	if err != nil {
		return SyncOutput{RunID: plan.RunID, Status: status}, fmt.Errorf("record run outcome: %w", err)
	}
	reportEnd(ctx, finishCtx, in, run, plan.RunID)
	if status == "cancelled" {
		return SyncOutput{RunID: plan.RunID, Status: status}, temporal.NewCanceledError()
	}
	return SyncOutput{RunID: plan.RunID, Status: status}, nil
}

// reportEnd reports the finished run to pipeline observability, after its
// start report (if one is pending) so the end never overtakes the start.
// Observability is a report about the run, not part of it: a failure to
// report is logged and leaves the run's outcome as recorded.
func reportEnd(ctx, finishCtx workflow.Context, in SyncInput, run startedRun, runID string) {
	var syncs *activities.Syncs
	logger := workflow.GetLogger(ctx)
	var start activities.ReportSyncStartOutput
	if run.reported != nil {
		if err := run.reported.Get(finishCtx, &start); err != nil {
			logger.Warn("sync run start not reported to observability", "run", runID, "error", err)
		}
	}
	reportCtx := workflow.WithActivityOptions(finishCtx, syncReportOptions)
	err := workflow.ExecuteActivity(reportCtx, syncs.ReportSyncRun, activities.ReportSyncRunInput{
		TeamID: in.TeamID, RunID: runID, IntegrationName: start.IntegrationName,
	}).Get(reportCtx, nil)
	if err != nil {
		logger.Warn("sync run not reported to observability", "run", runID, "error", err)
	}
}

// abandonRun ends a workflow whose run could not be started. A scheduled
// run may still have been recorded (by an attempt whose answer was lost), so
// whatever run the workflow recorded and did not finish is finished with
// the error, unless the error says there is no such run (RunGone). The
// workflow then fails with the error.
func abandonRun(ctx workflow.Context, in SyncInput, startErr error) (SyncOutput, error) {
	status, message := runStatus(0, nil, startErr)
	var appErr *temporal.ApplicationError
	if errors.As(startErr, &appErr) && appErr.Type() == activities.ErrTypeRunGone {
		return SyncOutput{RunID: in.RunID, Status: status}, startErr
	}
	finishCtx := bookkeepingContext(ctx)
	var syncs *activities.Syncs
	err := workflow.ExecuteActivity(finishCtx, syncs.FinishSyncRun, activities.FinishSyncRunInput{
		TeamID: in.TeamID, RunID: in.RunID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Status: status, Error: message,
	}).Get(finishCtx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Error("could not finish the run that failed to start", "error", err)
	}
	return SyncOutput{RunID: in.RunID, Status: status}, startErr
}

// bookkeepingContext is a context for recording an outcome: disconnected
// from ctx, so it also runs after the workflow was cancelled.
func bookkeepingContext(ctx workflow.Context) workflow.Context {
	finishCtx, _ := workflow.NewDisconnectedContext(ctx)
	return workflow.WithActivityOptions(finishCtx, syncBookkeepingOptions)
}

// runStatus derives the run's status from its tables.
func runStatus(tables int, failures []activities.TableFailure, runErr error) (string, string) {
	cancelled := runErr != nil && (errors.Is(runErr, workflow.ErrCanceled) || temporal.IsCanceledError(runErr))
	switch {
	case cancelled:
		return "cancelled", "the run was cancelled"
	case runErr != nil:
		return "failed", rootMessage(runErr)
	case len(failures) == 0:
		return "succeeded", ""
	case len(failures) < tables:
		return "partially_succeeded", fmt.Sprintf("%d of %d tables failed", len(failures), tables)
	}
	return "failed", fmt.Sprintf("all %d tables failed", tables)
}

// rootMessage is the innermost error's message: the source's own words
// rather than Temporal's wrapping.
func rootMessage(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
