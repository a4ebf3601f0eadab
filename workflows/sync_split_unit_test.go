package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/lake"
	"github.com/sluice-dev/sluice/workflows"
)

// splitPlan is a merge of one table planned as three key ranges.
func splitPlan() activities.SyncPlan {
	plan := planOf("merge", "big")
	a, b := int64(1000), int64(2000)
	plan.Tables[0].KeyRanges = []activities.KeyRange{{UpTo: &a}, {After: &a, UpTo: &b}, {After: &b}}
	return plan
}

// rangeStaged is what range r of the split table stages in these tests.
func rangeStaged(r int) activities.CopyTableRangeOutput {
	return activities.CopyTableRangeOutput{Files: []lake.StagedFile{{Path: fmt.Sprintf("/lake/range-%d.parquet", r), Rows: 1000}}, RowsRead: 1000, FullRead: true}
}

// TestSplitTableRangeRetriesAlone: a range that fails once is retried
// alone; the others are not run again, and one CopyTable commits the
// three ranges' files, in range order.
func TestSplitTableRangeRetriesAlone(t *testing.T) {
	env, a := syncEnv(t)
	expectStart(env, a)
	plan := expectPlanned(env, a, splitPlan())
	var attempts [3]atomic.Int32
	env.OnActivity(a.CopyTableRange, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.CopyTableRangeInput) (activities.CopyTableRangeOutput, error) {
		if attempts[in.Range].Add(1) == 1 && in.Range == 1 {
			return activities.CopyTableRangeOutput{}, errors.New("read public.big: connection reset by peer")
		}
		return rangeStaged(in.Range), nil
	})
	commit := activities.CopyTableInput{TeamID: syncTeam, IntegrationID: syncIntegration, RunID: syncRunID, ConfigID: syncConfig,
		DestSchema: plan.DestSchema, LoadMethod: plan.LoadMethod, Table: plan.Tables[0],
		Staged: []activities.CopyTableRangeOutput{rangeStaged(0), rangeStaged(1), rangeStaged(2)}}
	env.OnActivity(a.CopyTable, mock.Anything, commit).Return(activities.CopyTableOutput{RowsRead: 3000, RowsWritten: 3000}, nil).Once()
	expectFinish(env, a, activities.FinishSyncRunInput{TeamID: syncTeam, RunID: syncRunID, Status: "succeeded"}, "Production DB")

	env.ExecuteWorkflow(workflows.SyncWorkflow, scheduledSync)
	if out := syncResult(t, env); out.Status != "succeeded" {
		t.Fatalf("output = %+v", out)
	}
	for r, want := range []int32{1, 2, 1} {
		if got := attempts[r].Load(); got != want {
			t.Errorf("range %d ran %d times, want %d", r, got, want)
		}
	}
	env.AssertExpectations(t)
}

// TestSplitTableRangeFailingCommitsNothing: when a range fails for good,
// nothing of the table is committed (no CopyTable), the files the other
// ranges staged are discarded, and the table fails with the range's error.
func TestSplitTableRangeFailingCommitsNothing(t *testing.T) {
	env, a := syncEnv(t)
	expectStart(env, a)
	expectPlanned(env, a, splitPlan())
	changed := "public.big: column v of big changed from string to int32, which the lake cannot widen to"
	env.OnActivity(a.CopyTableRange, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.CopyTableRangeInput) (activities.CopyTableRangeOutput, error) {
		if in.Range == 1 {
			time.Sleep(200 * time.Millisecond) // after the other ranges' results reach the workflow
			return activities.CopyTableRangeOutput{}, temporal.NewNonRetryableApplicationError(changed, activities.ErrTypeSchemaChange, nil)
		}
		return rangeStaged(in.Range), nil
	})
	var discarded []lake.StagedFile
	env.OnActivity(a.DiscardStagedFiles, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.DiscardStagedInput) error {
		discarded = in.Files
		return nil
	}).Once()
	expectFinish(env, a, activities.FinishSyncRunInput{TeamID: syncTeam, RunID: syncRunID, Status: "failed", Error: "all 1 tables failed",
		Failures: []activities.TableFailure{{Table: "public.big", Status: "failed", Error: changed}}}, "Production DB")

	env.ExecuteWorkflow(workflows.SyncWorkflow, scheduledSync)
	if out := syncResult(t, env); out.Status != "failed" {
		t.Fatalf("output = %+v", out)
	}
	if len(discarded) != 2 || discarded[0].Path != "/lake/range-0.parquet" || discarded[1].Path != "/lake/range-2.parquet" {
		t.Fatalf("discarded %+v, want the files of ranges 0 and 2", discarded)
	}
	env.AssertExpectations(t)
}

// TestSplitTableCancelled: cancelling the run while ranges copy cancels
// them, commits nothing, discards what the finished ranges staged (on a
// context the cancel does not end) and records the table cancelled.
func TestSplitTableCancelled(t *testing.T) {
	env, a := syncEnv(t)
	expectStart(env, a)
	expectPlanned(env, a, splitPlan())
	env.OnActivity(a.CopyTableRange, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.CopyTableRangeInput) (activities.CopyTableRangeOutput, error) {
		if in.Range == 0 {
			return rangeStaged(0), nil
		}
		<-ctx.Done()
		return activities.CopyTableRangeOutput{}, ctx.Err()
	})
	var discarded []lake.StagedFile
	env.OnActivity(a.DiscardStagedFiles, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.DiscardStagedInput) error {
		discarded = in.Files
		return nil
	}).Once()
	finished := runCancelled(t, env, a)
	if finished.Status != "cancelled" || len(finished.Failures) != 1 || finished.Failures[0].Status != "cancelled" {
		t.Fatalf("recorded outcome = %+v", finished)
	}
	if len(discarded) != 1 || discarded[0].Path != "/lake/range-0.parquet" {
		t.Fatalf("discarded %+v, want range 0's file", discarded)
	}
	env.AssertExpectations(t)
}
