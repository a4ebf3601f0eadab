package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
)

// finishRun records the run's outcome, even when the run was cancelled, and
// reports it to pipeline observability. Since leanRun the report's
// workflow is started while the outcome is recorded (its report waits for
// the outcome); histories from before report after recording.
func finishRun(ctx workflow.Context, books bookkeeper, in SyncInput, run startedRun, plan activities.SyncPlan, failures []activities.TableFailure, runErr error) (SyncOutput, error) {
	status, message := runStatus(len(plan.Tables), failures, runErr)
	finishCtx := finishContext(ctx)
	var syncs *activities.Syncs
	var reportStarted workflow.Future
	if books.lean {
		reportStarted = books.execute(finishCtx, syncs.StartSyncReport, reportInput(ctx, finishCtx, in, run, plan.RunID))
	}
	err := books.execute(finishCtx, syncs.FinishSyncRun, activities.FinishSyncRunInput{
		TeamID: in.TeamID, RunID: plan.RunID, Status: status, Error: message, Failures: failures,
	}).Get(finishCtx, nil)
	if err != nil {
		return SyncOutput{RunID: plan.RunID, Status: status}, fmt.Errorf("record run outcome: %w", err)
	}
	if books.lean {
		if err := reportStarted.Get(finishCtx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("sync run report not started", "run", plan.RunID, "error", err)
		}
	} else {
		reportByActivity(ctx, finishCtx, reportInput(ctx, finishCtx, in, run, plan.RunID))
	}
	if status == "cancelled" {
		return SyncOutput{RunID: plan.RunID, Status: status}, temporal.NewCanceledError()
	}
	return SyncOutput{RunID: plan.RunID, Status: status}, nil
}

// reportInput names the run to report, under the name its start was
// reported with, once that report (if one is pending) is done, so the end
// never overtakes the start. Observability is a report about the run, not
// part of it: a failure to report is logged and leaves the run as it is.
func reportInput(ctx, finishCtx workflow.Context, in SyncInput, run startedRun, runID string) activities.ReportSyncRunInput {
	var start activities.ReportSyncStartOutput
	if run.reported != nil {
		if err := run.reported.Get(finishCtx, &start); err != nil {
			workflow.GetLogger(ctx).Warn("sync run start not reported to observability", "run", runID, "error", err)
		}
	}
	return activities.ReportSyncRunInput{TeamID: in.TeamID, RunID: runID, IntegrationName: start.IntegrationName}
}

// reportByActivity reports the finished run from the run's own workflow,
// as histories from before leanRun do.
func reportByActivity(ctx, finishCtx workflow.Context, report activities.ReportSyncRunInput) {
	var syncs *activities.Syncs
	reportCtx := workflow.WithActivityOptions(finishCtx, syncReportOptions)
	if err := workflow.ExecuteActivity(reportCtx, syncs.ReportSyncRun, report).Get(reportCtx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("sync run not reported to observability", "run", report.RunID, "error", err)
	}
}

// abandonRun ends a workflow whose run could not be started. A scheduled
// run may still have been recorded (by an attempt whose answer was lost), so
// whatever run the workflow recorded and did not finish is finished with
// the error, unless the error says there is no such run (RunGone). The
// workflow then fails with the error.
func abandonRun(ctx workflow.Context, books bookkeeper, in SyncInput, startErr error) (SyncOutput, error) {
	status, message := runStatus(0, nil, startErr)
	var appErr *temporal.ApplicationError
	if errors.As(startErr, &appErr) && appErr.Type() == activities.ErrTypeRunGone {
		return SyncOutput{RunID: in.RunID, Status: status}, startErr
	}
	finishCtx := finishContext(ctx)
	var syncs *activities.Syncs
	err := books.execute(finishCtx, syncs.FinishSyncRun, activities.FinishSyncRunInput{
		TeamID: in.TeamID, RunID: in.RunID, WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Status: status, Error: message,
	}).Get(finishCtx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Error("could not finish the run that failed to start", "error", err)
	}
	return SyncOutput{RunID: in.RunID, Status: status}, startErr
}

// finishContext is a context for recording an outcome: disconnected from
// ctx, so it also runs after the workflow was cancelled.
func finishContext(ctx workflow.Context) workflow.Context {
	finishCtx, _ := workflow.NewDisconnectedContext(ctx)
	return finishCtx
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
