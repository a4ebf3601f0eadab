package workflows_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/workflows"
)

// TestSyncStartFailureFinishesWhateverWasRecorded: when a scheduled run's
// start fails for good, an attempt may still have recorded it, so the
// workflow finishes the run recorded for its workflow id before failing.
func TestSyncStartFailureFinishesWhateverWasRecorded(t *testing.T) {
	env, a := syncEnv(t)
	down := "record scheduled run: dial tcp 127.0.0.1:5432: connect: connection refused"
	env.OnActivity(a.StartSyncRun, mock.Anything, mock.Anything).Return(activities.StartSyncRunOutput{}, errors.New(down)).Times(5)
	env.OnActivity(a.FinishSyncRun, mock.Anything, activities.FinishSyncRunInput{
		TeamID: syncTeam, WorkflowID: syncWorkflowID, Status: "failed", Error: down,
	}).Return(nil).Once()

	env.ExecuteWorkflow(workflows.SyncWorkflow, scheduledSync)
	var appErr *temporal.ApplicationError
	if err := env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Message() != down {
		t.Fatalf("workflow error = %v", err)
	}
	env.AssertExpectations(t) // nothing was planned or reported
}

// TestSyncOfADeletedConfigRecordsNothing: a Schedule firing for a deleted
// configuration records no run and has none to finish.
func TestSyncOfADeletedConfigRecordsNothing(t *testing.T) {
	env, a := syncEnv(t)
	gone := temporal.NewNonRetryableApplicationError("the sync configuration was deleted", activities.ErrTypeRunGone, nil)
	env.OnActivity(a.StartSyncRun, mock.Anything, mock.Anything).Return(activities.StartSyncRunOutput{}, gone).Once()

	env.ExecuteWorkflow(workflows.SyncWorkflow, scheduledSync)
	var appErr *temporal.ApplicationError
	if err := env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != activities.ErrTypeRunGone {
		t.Fatalf("workflow error = %v", err)
	}
	env.AssertExpectations(t) // FinishSyncRun was not called
}

// TestSyncStartReportFailureDoesNotFailTheRun: the start is reported while
// the run is planned; a start report that fails for good is only logged,
// and the end report then names the run itself.
func TestSyncStartReportFailureDoesNotFailTheRun(t *testing.T) {
	env, a := syncEnv(t)
	env.OnActivity(a.StartSyncRun, mock.Anything, mock.Anything).Return(activities.StartSyncRunOutput{RunID: syncRunID}, nil).Once()
	env.OnActivity(a.ReportSyncStart, mock.Anything, activities.ReportSyncStartInput{TeamID: syncTeam, RunID: syncRunID}).
		Return(activities.ReportSyncStartOutput{}, errors.New("report start of run: observability is down")).Times(5)
	plan := expectPlan(env, a, "users")
	expectCopy(env, a, plan, 0, copied(1))
	expectFinish(env, a, activities.FinishSyncRunInput{TeamID: syncTeam, RunID: syncRunID, Status: "succeeded"}, "")

	env.ExecuteWorkflow(workflows.SyncWorkflow, scheduledSync)
	if out := syncResult(t, env); out.Status != "succeeded" {
		t.Fatalf("output = %+v", out)
	}
	env.AssertExpectations(t)
}

// TestSyncHistoriesFromBeforeStartSyncRun: a run started by the workflow
// code before StartSyncRun existed (no version marker) keeps its old order
// on replay: PrepareSyncRun records a scheduled run itself, and the run is
// reported only at its end.
func TestSyncHistoriesFromBeforeStartSyncRun(t *testing.T) {
	env, a := syncEnv(t)
	env.OnGetVersion("start-run-before-planning", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.OnActivity(a.PrepareSyncRun, mock.Anything, activities.PrepareSyncRunInput{
		TeamID: syncTeam, IntegrationID: syncIntegration, ConfigID: syncConfig, WorkflowID: syncWorkflowID, Trigger: "schedule",
	}).Return(activities.SyncPlan{RunID: syncRunID}, nil).Once()
	expectFinish(env, a, activities.FinishSyncRunInput{TeamID: syncTeam, RunID: syncRunID, Status: "succeeded"}, "")

	env.ExecuteWorkflow(workflows.SyncWorkflow, scheduledSync)
	syncResult(t, env)
	env.AssertExpectations(t) // neither StartSyncRun nor ReportSyncStart ran
}
