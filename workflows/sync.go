package workflows

import (
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
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

// tableParallelism bounds how many tables of one run copy at once.
const tableParallelism = 2

// recordRunFirst is the change that starts a run (recording it, for a
// scheduled trigger) and reports its start before planning it, so a run
// whose planning fails is finished with the planning error. Histories from
// before it replay the old order: PrepareSyncRun first.
const recordRunFirst = "start-run-before-planning"

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
	if workflow.GetVersion(ctx, recordRunFirst, workflow.DefaultVersion, 1) != workflow.DefaultVersion {
		var err error
		if run, err = startRun(ctx, in); err != nil {
			return abandonRun(ctx, in, err)
		}
	}
	var syncs *activities.Syncs
	bookCtx := workflow.WithActivityOptions(ctx, syncBookkeepingOptions)
	var plan activities.SyncPlan
	err := workflow.ExecuteActivity(bookCtx, syncs.PrepareSyncRun, activities.PrepareSyncRunInput{
		TeamID: in.TeamID, IntegrationID: in.IntegrationID, ConfigID: in.ConfigID, RunID: run.id,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Trigger: in.Trigger, OnlyTables: in.OnlyTables,
	}).Get(ctx, &plan)
	if err != nil {
		if run.id == "" {
			return SyncOutput{}, err // a history from before recordRunFirst: nothing recorded to finish
		}
		plan.RunID = run.id
		return finishRun(ctx, in, run, plan, nil, err)
	}
	failures := copyTables(ctx, in, plan, opts.copyTableOptions())
	return finishRun(ctx, in, run, plan, failures, ctx.Err())
}

// startedRun is a run the workflow started: its id and the pending report of
// its start (nil in histories from before recordRunFirst).
type startedRun struct {
	id       string
	reported workflow.Future
}

// startRun records the run as running and, without waiting for it, reports
// its start to pipeline observability.
func startRun(ctx workflow.Context, in SyncInput) (startedRun, error) {
	var syncs *activities.Syncs
	bookCtx := workflow.WithActivityOptions(ctx, syncBookkeepingOptions)
	var started activities.StartSyncRunOutput
	err := workflow.ExecuteActivity(bookCtx, syncs.StartSyncRun, activities.StartSyncRunInput{
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

// copyTables runs one CopyTable activity per table, tableParallelism at a
// time, with copyOpts, and returns the tables that failed.
func copyTables(ctx workflow.Context, in SyncInput, plan activities.SyncPlan, copyOpts workflow.ActivityOptions) []activities.TableFailure {
	var syncs *activities.Syncs
	copyCtx := workflow.WithActivityOptions(ctx, copyOpts)
	tokens := workflow.NewBufferedChannel(ctx, tableParallelism)
	for i := 0; i < tableParallelism; i++ {
		tokens.Send(ctx, struct{}{})
	}
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
			tokens.Receive(gctx, nil)
			defer tokens.Send(gctx, struct{}{})
			if gctx.Err() != nil {
				failures[i] = &activities.TableFailure{Table: name, Status: "cancelled", Error: "the run was cancelled"}
				return
			}
			err := workflow.ExecuteActivity(copyCtx, syncs.CopyTable, activities.CopyTableInput{
				TeamID: in.TeamID, IntegrationID: in.IntegrationID, RunID: plan.RunID, ConfigID: plan.ConfigID,
				DestSchema: plan.DestSchema, LoadMethod: plan.LoadMethod, Table: t,
			}).Get(gctx, nil)
			if err != nil {
				status := "failed"
				if temporal.IsCanceledError(err) {
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
