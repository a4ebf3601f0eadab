package workflows_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/workflows"
)

// TestSyncCDCRunsOneCaptureForItsTables: a cdc run's tables share one
// replication slot, so they run in one CaptureChanges (never CopyTable),
// without the table the plan found a problem with; the tables it reports
// failed fail the run partly.
func TestSyncCDCRunsOneCaptureForItsTables(t *testing.T) {
	env, a := syncEnv(t)
	expectStart(env, a)
	plan := planOf("cdc", "users", "orders", "gone")
	plan.Tables[2].Problem = "table public.gone does not exist in the source or is not readable"
	expectPlanned(env, a, plan)
	orders := activities.TableFailure{Table: "public.orders", Status: "failed", Error: "public.orders: column note changed from string to int32"}
	env.OnActivity(a.CaptureChanges, mock.Anything, activities.CaptureChangesInput{
		TeamID: syncTeam, IntegrationID: syncIntegration, RunID: syncRunID, ConfigID: syncConfig, DestSchema: plan.DestSchema, Tables: plan.Tables[:2],
	}).Return(activities.CaptureChangesOutput{Failures: []activities.TableFailure{orders}}, nil).Once()
	expectFinish(env, a, activities.FinishSyncRunInput{TeamID: syncTeam, RunID: syncRunID, Status: "partially_succeeded", Error: "2 of 3 tables failed",
		Failures: []activities.TableFailure{{Table: "public.gone", Status: "failed", Error: plan.Tables[2].Problem}, orders}}, "Production DB")

	env.ExecuteWorkflow(workflows.SyncWorkflow, scheduledSync)
	if out := syncResult(t, env); out != (workflows.SyncOutput{RunID: syncRunID, Status: "partially_succeeded"}) {
		t.Fatalf("output = %+v", out)
	}
	env.AssertExpectations(t)
}

// TestSyncCDCSlotGoneIsNotRetried: a slot that is gone fails every table at
// once with the activity's message; retrying cannot bring the changes back.
func TestSyncCDCSlotGoneIsNotRetried(t *testing.T) {
	env, a := syncEnv(t)
	expectStart(env, a)
	expectPlanned(env, a, planOf("cdc", "users"))
	gone := "replication slot sluice_x was dropped, so the changes since 0/1 are lost; replay the sync"
	var attempts atomic.Int32
	env.OnActivity(a.CaptureChanges, mock.Anything, mock.Anything).Return(func(context.Context, activities.CaptureChangesInput) (activities.CaptureChangesOutput, error) {
		attempts.Add(1)
		return activities.CaptureChangesOutput{}, temporal.NewApplicationError(gone, activities.ErrTypeSlotGone)
	})
	expectFinish(env, a, activities.FinishSyncRunInput{TeamID: syncTeam, RunID: syncRunID, Status: "failed", Error: "all 1 tables failed",
		Failures: []activities.TableFailure{{Table: "public.users", Status: "failed", Error: gone}}}, "Production DB")

	env.ExecuteWorkflow(workflows.SyncWorkflow, scheduledSync)
	if out := syncResult(t, env); out.Status != "failed" || attempts.Load() != 1 {
		t.Fatalf("output = %+v after %d attempts", out, attempts.Load())
	}
	env.AssertExpectations(t)
}
