package workflows_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/workflows"
)

const (
	syncTeam        = "5e1f0c2a-0000-4000-8000-000000000001"
	syncIntegration = "5e1f0c2a-0000-4000-8000-000000000002"
	syncConfig      = "5e1f0c2a-0000-4000-8000-000000000003"
	syncRunID       = "5e1f0c2a-0000-4000-8000-000000000004"
	syncWorkflowID  = "sync/" + syncIntegration + "/scheduled-2025-09-01T10:00:00Z"
)

// scheduledSync is the input a sync configuration's Schedule starts runs with.
var scheduledSync = workflows.SyncInput{TeamID: syncTeam, IntegrationID: syncIntegration, ConfigID: syncConfig, Trigger: "schedule"}

func syncEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *activities.Syncs) {
	t.Helper()
	env := newWorkflowEnv()
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: syncWorkflowID})
	var a *activities.Syncs
	env.RegisterActivity(a)
	return env, a
}

// expectStart mocks a scheduled run's start and its start report.
func expectStart(env *testsuite.TestWorkflowEnvironment, a *activities.Syncs) {
	env.OnActivity(a.StartSyncRun, mock.Anything, activities.StartSyncRunInput{
		TeamID: syncTeam, IntegrationID: syncIntegration, ConfigID: syncConfig, WorkflowID: syncWorkflowID,
	}).Return(activities.StartSyncRunOutput{RunID: syncRunID}, nil).Once()
	env.OnActivity(a.ReportSyncStart, mock.Anything, activities.ReportSyncStartInput{TeamID: syncTeam, RunID: syncRunID}).
		Return(activities.ReportSyncStartOutput{IntegrationName: "Production DB"}, nil).Once()
}

// expectPlan mocks planning the started run into the named public tables.
func expectPlan(env *testsuite.TestWorkflowEnvironment, a *activities.Syncs, tables ...string) activities.SyncPlan {
	return expectPlanned(env, a, planOf("merge", tables...))
}

// planOf is the plan of a run copying the named public tables with method.
func planOf(method string, tables ...string) activities.SyncPlan {
	plan := activities.SyncPlan{RunID: syncRunID, DestSchema: "production_db", LoadMethod: method, ConfigID: syncConfig}
	for _, name := range tables {
		plan.Tables = append(plan.Tables, activities.TablePlan{Source: connectors.TableRef{Schema: "public", Name: name}, DestTable: name, PrimaryKeys: []string{"id"}})
	}
	return plan
}

// expectPlanned mocks planning the started run into plan.
func expectPlanned(env *testsuite.TestWorkflowEnvironment, a *activities.Syncs, plan activities.SyncPlan) activities.SyncPlan {
	env.OnActivity(a.PrepareSyncRun, mock.Anything, activities.PrepareSyncRunInput{
		TeamID: syncTeam, IntegrationID: syncIntegration, ConfigID: syncConfig, RunID: syncRunID, WorkflowID: syncWorkflowID, Trigger: "schedule",
	}).Return(plan, nil).Once()
	return plan
}

// expectCopy mocks copying one table of plan with fn.
func expectCopy(env *testsuite.TestWorkflowEnvironment, a *activities.Syncs, plan activities.SyncPlan, table int, fn any) {
	env.OnActivity(a.CopyTable, mock.Anything, activities.CopyTableInput{
		TeamID: syncTeam, IntegrationID: syncIntegration, RunID: syncRunID, ConfigID: syncConfig,
		DestSchema: plan.DestSchema, LoadMethod: plan.LoadMethod, Table: plan.Tables[table],
	}).Return(fn)
}

func copied(rows int64) func(context.Context, activities.CopyTableInput) (activities.CopyTableOutput, error) {
	return func(context.Context, activities.CopyTableInput) (activities.CopyTableOutput, error) {
		return activities.CopyTableOutput{RowsRead: rows, RowsWritten: rows}, nil
	}
}

// expectFinish mocks recording the outcome and reporting it.
func expectFinish(env *testsuite.TestWorkflowEnvironment, a *activities.Syncs, finish activities.FinishSyncRunInput, name string) {
	env.OnActivity(a.FinishSyncRun, mock.Anything, finish).Return(nil).Once()
	env.OnActivity(a.StartSyncReport, mock.Anything, activities.ReportSyncRunInput{TeamID: syncTeam, RunID: syncRunID, IntegrationName: name}).
		Return(nil).Once()
}

func syncResult(t *testing.T, env *testsuite.TestWorkflowEnvironment) workflows.SyncOutput {
	t.Helper()
	var out workflows.SyncOutput
	if err := errors.Join(env.GetWorkflowError(), env.GetWorkflowResult(&out)); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSyncPlanningFailureFinishesTheScheduledRun: a scheduled run is
// recorded before it is planned, so when the source is down for every
// planning attempt the run is finished as failed with the source's error
// (not left running), and the failure is reported.
func TestSyncPlanningFailureFinishesTheScheduledRun(t *testing.T) {
	env, a := syncEnv(t)
	expectStart(env, a)
	down := "list source tables: dial tcp 127.0.0.1:5433: connect: connection refused"
	env.OnActivity(a.PrepareSyncRun, mock.Anything, mock.MatchedBy(func(in activities.PrepareSyncRunInput) bool { return in.RunID == syncRunID })).
		Return(activities.SyncPlan{}, errors.New(down)).Times(5)
	expectFinish(env, a, activities.FinishSyncRunInput{TeamID: syncTeam, RunID: syncRunID, Status: "failed", Error: down}, "Production DB")

	env.ExecuteWorkflow(workflows.SyncWorkflow, scheduledSync)
	if out := syncResult(t, env); out != (workflows.SyncOutput{RunID: syncRunID, Status: "failed"}) {
		t.Fatalf("output = %+v", out)
	}
	env.AssertExpectations(t)
}

// TestSyncOneTableFailing: a table that fails fails alone; the run is
// partially_succeeded and the other tables succeed. An error that may pass
// is tried every attempt; CopyTable's SchemaChange error type is
// non-retryable by the activity options, even when the error itself does not
// say so, and is tried once.
func TestSyncOneTableFailing(t *testing.T) {
	reset := "read public.orders: connection reset by peer"
	changed := "public.orders: column note of orders changed from string to int32, which the lake cannot widen to"
	cases := []struct {
		name     string
		err      error
		message  string
		attempts int32
	}{
		{"retryable", errors.New(reset), reset, 5},
		{"schema change", temporal.NewApplicationError(changed, activities.ErrTypeSchemaChange), changed, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env, a := syncEnv(t)
			expectStart(env, a)
			plan := expectPlan(env, a, "users", "orders", "events")
			var attempts atomic.Int32
			expectCopy(env, a, plan, 0, copied(2000))
			expectCopy(env, a, plan, 1, func(context.Context, activities.CopyTableInput) (activities.CopyTableOutput, error) {
				attempts.Add(1)
				return activities.CopyTableOutput{}, tc.err
			})
			expectCopy(env, a, plan, 2, copied(300))
			expectFinish(env, a, activities.FinishSyncRunInput{TeamID: syncTeam, RunID: syncRunID, Status: "partially_succeeded", Error: "1 of 3 tables failed",
				Failures: []activities.TableFailure{{Table: "public.orders", Status: "failed", Error: tc.message}}}, "Production DB")

			env.ExecuteWorkflow(workflows.SyncWorkflow, scheduledSync)
			if out := syncResult(t, env); out != (workflows.SyncOutput{RunID: syncRunID, Status: "partially_succeeded"}) {
				t.Fatalf("output = %+v", out)
			}
			if n := attempts.Load(); n != tc.attempts {
				t.Fatalf("orders was tried %d times, want %d", n, tc.attempts)
			}
			env.AssertExpectations(t)
		})
	}
}

// TestSyncCancelled: cancelling the workflow mid-copy cancels the copies in
// flight, skips the tables not started, and records the run as cancelled
// before the workflow ends cancelled.
func TestSyncCancelled(t *testing.T) {
	env, a := syncEnv(t)
	expectStart(env, a)
	plan := expectPlan(env, a, "users", "orders", "events")
	blocked := func(ctx context.Context, _ activities.CopyTableInput) (activities.CopyTableOutput, error) {
		<-ctx.Done()
		return activities.CopyTableOutput{}, ctx.Err()
	}
	for i := range plan.Tables {
		expectCopy(env, a, plan, i, blocked)
	}
	finished := runCancelled(t, env, a)
	if finished.RunID != syncRunID || finished.Status != "cancelled" || finished.Error != "the run was cancelled" || len(finished.Failures) != 3 {
		t.Fatalf("recorded outcome = %+v", finished)
	}
	for _, f := range finished.Failures {
		if f.Status != "cancelled" {
			t.Fatalf("table %s recorded as %s, want cancelled", f.Table, f.Status)
		}
	}
}

// runCancelled runs the scheduled sync, cancels it after a second, checks
// the workflow ended cancelled and returns the outcome it recorded.
func runCancelled(t *testing.T, env *testsuite.TestWorkflowEnvironment, a *activities.Syncs) activities.FinishSyncRunInput {
	t.Helper()
	var finished activities.FinishSyncRunInput
	env.OnActivity(a.FinishSyncRun, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.FinishSyncRunInput) error {
		finished = in
		return nil
	}).Once()
	env.OnActivity(a.StartSyncReport, mock.Anything, mock.Anything).Return(nil).Once()
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Second)
	env.ExecuteWorkflow(workflows.SyncWorkflow, scheduledSync)
	if err := env.GetWorkflowError(); !temporal.IsCanceledError(err) {
		t.Fatalf("workflow error = %v, want cancelled", err)
	}
	return finished
}
