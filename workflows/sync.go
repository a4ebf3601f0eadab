package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/syncspec"
)

// SyncInput starts a sync run. Manual runs and replays are recorded by the
// API first (RunID set); a scheduled run records itself from ConfigID.
type SyncInput struct {
	TeamID        string   `json:"team_id"`
	IntegrationID string   `json:"integration_id"`
	ConfigID      string   `json:"config_id,omitempty"`
	RunID         string   `json:"run_id,omitempty"`
	Trigger       string   `json:"trigger"`
	OnlyTables    []string `json:"only_tables,omitempty"`
}

// SyncOutput is the run's outcome.
type SyncOutput struct {
	RunID  string `json:"run_id"`
	Status string `json:"status"`
}

// defaultTableParallelism bounds how many tables of one run copy at once
// when the plan does not say (plans recorded before it could).
const defaultTableParallelism = 2

// recordRunFirst is the change that starts a run (recording it, for a
// scheduled trigger) and reports its start before planning it, so a run
// whose planning fails is finished with the planning error. Histories from
// before it replay the old order: PrepareSyncRun first.
const recordRunFirst = "start-run-before-planning"

// leanRun is the change that makes a run's start and end quick. The
// bookkeeping activities (start, plan, finish) run as local activities: in
// the workflow task that needs them, on the worker that runs it, without
// waiting for activity tasks to be scheduled, polled and reported. And a
// finished run is reported by a SyncReport workflow of its own, so the
// run's workflow ends once its outcome is recorded. Histories from before
// it replay activities and the report as an activity of the run.
const leanRun = "local-bookkeeping"

// bookkeeper runs a run's bookkeeping activities, as local activities
// unless the history is from before leanRun.
type bookkeeper struct{ lean bool }

func newBookkeeper(ctx workflow.Context) bookkeeper {
	return bookkeeper{lean: workflow.GetVersion(ctx, leanRun, workflow.DefaultVersion, 1) != workflow.DefaultVersion}
}

// execute runs activity fn with arg under the bookkeeping options.
func (b bookkeeper) execute(ctx workflow.Context, fn, arg any) workflow.Future {
	if b.lean {
		return workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, syncBookkeepingLocalOptions), fn, arg)
	}
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, syncBookkeepingOptions), fn, arg)
}

// SyncWorkflow starts a run and reports its start to pipeline
// observability, plans it (expanding table patterns), copies each table in
// its own activity, a bounded number at a time, and records the outcome:
// succeeded, partially_succeeded, failed or cancelled. Every run it records
// reaches one of them. It runs with the default Options; RegisterWith
// registers it under the same name with others.
func SyncWorkflow(ctx workflow.Context, in SyncInput) (SyncOutput, error) {
	return syncWorkflow(ctx, in, Options{})
}

func syncWorkflow(ctx workflow.Context, in SyncInput, opts Options) (SyncOutput, error) {
	run := startedRun{id: in.RunID}
	startFirst := workflow.GetVersion(ctx, recordRunFirst, workflow.DefaultVersion, 1) != workflow.DefaultVersion
	books := newBookkeeper(ctx)
	if startFirst {
		var err error
		if run, err = startRun(ctx, books, in); err != nil {
			return abandonRun(ctx, books, in, err)
		}
	}
	var syncs *activities.Syncs
	var plan activities.SyncPlan
	err := books.execute(ctx, syncs.PrepareSyncRun, activities.PrepareSyncRunInput{
		TeamID: in.TeamID, IntegrationID: in.IntegrationID, ConfigID: in.ConfigID, RunID: run.id,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Trigger: in.Trigger, OnlyTables: in.OnlyTables,
	}).Get(ctx, &plan)
	if err != nil {
		if run.id == "" {
			return SyncOutput{}, err // a history from before recordRunFirst: nothing recorded to finish
		}
		plan.RunID = run.id
		return finishRun(ctx, books, in, run, plan, nil, err)
	}
	var failures []activities.TableFailure
	if plan.LoadMethod == syncspec.LoadCDC {
		failures = captureChanges(ctx, in, plan, opts.captureChangesOptions())
	} else {
		failures = copyTables(ctx, in, plan, opts.copyTableOptions())
	}
	return finishRun(ctx, books, in, run, plan, failures, ctx.Err())
}

// startedRun is a run the workflow started: its id and the pending report of
// its start (nil in histories from before recordRunFirst).
type startedRun struct {
	id       string
	reported workflow.Future
}

// startRun records the run as running and, without waiting for it, reports
// its start to pipeline observability.
func startRun(ctx workflow.Context, books bookkeeper, in SyncInput) (startedRun, error) {
	var syncs *activities.Syncs
	var started activities.StartSyncRunOutput
	err := books.execute(ctx, syncs.StartSyncRun, activities.StartSyncRunInput{
		TeamID: in.TeamID, IntegrationID: in.IntegrationID, ConfigID: in.ConfigID, RunID: in.RunID,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID,
	}).Get(ctx, &started)
	if err != nil {
		return startedRun{}, err
	}
	reportCtx := workflow.WithActivityOptions(ctx, syncReportOptions)
	reported := workflow.ExecuteActivity(reportCtx, syncs.ReportSyncStart, activities.ReportSyncStartInput{TeamID: in.TeamID, RunID: started.RunID})
	return startedRun{id: started.RunID, reported: reported}, nil
}

// copyTables runs one CopyTable activity per table (a table planned as key
// ranges: one per range, then one that commits them), the plan's
// TableParallelism copy activities at a time, with copyOpts, and returns
// the tables that failed.
func copyTables(ctx workflow.Context, in SyncInput, plan activities.SyncPlan, copyOpts workflow.ActivityOptions) []activities.TableFailure {
	copyCtx := workflow.WithActivityOptions(ctx, copyOpts)
	tokens := newCopySlots(ctx, plan.TableParallelism)
	failures := make([]*activities.TableFailure, len(plan.Tables))
	wg := workflow.NewWaitGroup(ctx)
	for i, t := range plan.Tables {
		name := t.Source.String()
		if t.Problem != "" {
			failures[i] = &activities.TableFailure{Table: name, Status: "failed", Error: t.Problem}
			continue
		}
		wg.Add(1)
		workflow.Go(ctx, func(gctx workflow.Context) {
			defer wg.Done()
			copyIn := activities.CopyTableInput{
				TeamID: in.TeamID, IntegrationID: in.IntegrationID, RunID: plan.RunID, ConfigID: plan.ConfigID,
				DestSchema: plan.DestSchema, LoadMethod: plan.LoadMethod, Table: t,
			}
			var err error
			if len(t.KeyRanges) > 0 && workflow.GetVersion(gctx, splitTables, workflow.DefaultVersion, 1) != workflow.DefaultVersion {
				err = copySplitTable(gctx, copyCtx, tokens, copyIn)
			} else {
				err = copyWholeTable(gctx, copyCtx, tokens, copyIn)
			}
			if err != nil {
				status := "failed"
				if errors.Is(err, errRunCancelled) || temporal.IsCanceledError(err) {
					status = "cancelled"
				}
				failures[i] = &activities.TableFailure{Table: name, Status: status, Error: rootMessage(err)}
			}
		})
	}
	wg.Wait(ctx)
	var out []activities.TableFailure
	for _, f := range failures {
		if f != nil {
			out = append(out, *f)
		}
	}
	return out
}
