package workflows

import (
	"errors"
	"fmt"

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

// SyncWorkflow plans a run (expanding table patterns), copies each table in
// its own activity, a bounded number at a time, and records the outcome:
// succeeded, partially_succeeded, failed or cancelled. It runs with the
// default Options; RegisterWith registers it under the same name with others.
func SyncWorkflow(ctx workflow.Context, in SyncInput) (SyncOutput, error) {
	return syncWorkflow(ctx, in, Options{})
}

func syncWorkflow(ctx workflow.Context, in SyncInput, opts Options) (SyncOutput, error) {
	var syncs *activities.Syncs
	bookCtx := workflow.WithActivityOptions(ctx, syncBookkeepingOptions)
	var plan activities.SyncPlan
	err := workflow.ExecuteActivity(bookCtx, syncs.PrepareSyncRun, activities.PrepareSyncRunInput{
		TeamID: in.TeamID, IntegrationID: in.IntegrationID, ConfigID: in.ConfigID, RunID: in.RunID,
		WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Trigger: in.Trigger, OnlyTables: in.OnlyTables,
	}).Get(ctx, &plan)
	if err != nil {
		if in.RunID == "" {
			return SyncOutput{}, err // nothing recorded to finish
		}
		plan.RunID = in.RunID
		return finishRun(ctx, in, plan, nil, err)
	}
	failures := copyTables(ctx, in, plan, opts.copyTableOptions())
	return finishRun(ctx, in, plan, failures, ctx.Err())
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

// finishRun records the outcome even when the run was cancelled.
func finishRun(ctx workflow.Context, in SyncInput, plan activities.SyncPlan, failures []activities.TableFailure, runErr error) (SyncOutput, error) {
	status, message := runStatus(len(plan.Tables), failures, runErr)
	finishCtx, _ := workflow.NewDisconnectedContext(ctx)
	finishCtx = workflow.WithActivityOptions(finishCtx, syncBookkeepingOptions)
	var syncs *activities.Syncs
	err := workflow.ExecuteActivity(finishCtx, syncs.FinishSyncRun, activities.FinishSyncRunInput{
		TeamID: in.TeamID, RunID: plan.RunID, Status: status, Error: message, Failures: failures,
	}).Get(finishCtx, nil)
	if err != nil {
		return SyncOutput{RunID: plan.RunID, Status: status}, fmt.Errorf("record run outcome: %w", err)
	}
	// Observability is a report about the run, not part of it: a failure to
	// report is logged and leaves the run's outcome as recorded.
	reportCtx := workflow.WithActivityOptions(finishCtx, syncBookkeepingOptions)
	if err := workflow.ExecuteActivity(reportCtx, syncs.ReportSyncRun, activities.ReportSyncRunInput{TeamID: in.TeamID, RunID: plan.RunID}).Get(reportCtx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("sync run not reported to observability", "run", plan.RunID, "error", err)
	}
	if status == "cancelled" {
		return SyncOutput{RunID: plan.RunID, Status: status}, temporal.NewCanceledError()
	}
	return SyncOutput{RunID: plan.RunID, Status: status}, nil
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
