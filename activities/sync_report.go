package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
)

// SyncStart is a sync run that started, as pipeline observability records
// it: a running task run named after the integration.
type SyncStart struct {
	TeamID          uuid.UUID
	RunID           string
	IntegrationName string
	// IntegrationID names the run's source tables in lineage.
	IntegrationID string
	StartedAt     time.Time
}

// SyncReport is a finished sync run as pipeline observability records it:
// one task run, one transformation per copied table.
type SyncReport struct {
	SyncStart
	Tables  []SyncReportTable
	Failure string
}

// SyncReportTable is one copied table.
type SyncReportTable struct {
	SourceSchema, Table, DestSchema string
	Columns                         []connectors.Column
	Rows                            int64
}

// SyncReporter records sync runs in pipeline observability. The worker
// wires it to the service layer (activities cannot import it). Both methods
// must be idempotent: activities that call them are retried.
type SyncReporter interface {
	// ReportSyncStarted records the run as a running task run.
	ReportSyncStarted(ctx context.Context, start SyncStart) error
	// ReportSyncFinished records the run's tables and its end, and its
	// start first if that was never recorded.
	ReportSyncFinished(ctx context.Context, report SyncReport) error
}

// ReportSyncStartInput names the started run to report.
type ReportSyncStartInput struct {
	TeamID string `json:"team_id"`
	RunID  string `json:"run_id"`
}

// ReportSyncStartOutput is the name the run was reported under, which the
// end report reuses even if the integration was renamed or deleted since.
type ReportSyncStartOutput struct {
	IntegrationName string `json:"integration_name"`
}

// ReportSyncStart reports a started run to pipeline observability, so a
// running sync shows as a running task. Without a reporter it does nothing.
func (a *Syncs) ReportSyncStart(ctx context.Context, in ReportSyncStartInput) (ReportSyncStartOutput, error) {
	if a.Reporter == nil {
		return ReportSyncStartOutput{}, nil
	}
	start, _, err := a.loadSyncStart(ctx, in.TeamID, in.RunID, "")
	if err != nil {
		return ReportSyncStartOutput{}, err
	}
	if err := a.Reporter.ReportSyncStarted(ctx, start); err != nil {
		return ReportSyncStartOutput{}, fmt.Errorf("report start of run %s: %w", start.RunID, err)
	}
	return ReportSyncStartOutput{IntegrationName: start.IntegrationName}, nil
}

// ErrTypeRunNotFinished marks a report asked for before its run's outcome
// was recorded: the report's retries wait for it.
const ErrTypeRunNotFinished = "RunNotFinished"

// ReportSyncRunInput names the finished run to report. IntegrationName is
// the name its start was reported under; empty means the integration's
// current name.
type ReportSyncRunInput struct {
	TeamID          string `json:"team_id"`
	RunID           string `json:"run_id"`
	IntegrationName string `json:"integration_name,omitempty"`
}

// ReportSyncRun reports a finished run to pipeline observability: each
// copied table as a transformation with lineage, schemas and a row count,
// then the run's end. Data moved by sluice and data transformed by the
// team's pipelines meet in one lineage graph. Without a reporter it does
// nothing.
func (a *Syncs) ReportSyncRun(ctx context.Context, in ReportSyncRunInput) error {
	if a.Reporter == nil {
		return nil
	}
	start, run, err := a.loadSyncStart(ctx, in.TeamID, in.RunID, in.IntegrationName)
	if err != nil {
		return err
	}
	if run.Status == "queued" || run.Status == "running" {
		// Its report was started while the outcome was being recorded: retried.
		// Benign: the retry is by design, so the worker logs it at debug, not
		// as an activity error.
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("run %s has not finished yet (%s)", start.RunID, run.Status),
			ErrTypeRunNotFinished, temporal.ApplicationErrorOptions{Category: temporal.ApplicationErrorCategoryBenign})
	}
	report := SyncReport{SyncStart: start}
	if run.Status != "succeeded" && run.Error != nil {
		report.Failure = *run.Error
	}
	if report.Tables, err = a.reportTables(ctx, run); err != nil {
		return err
	}
	if err := a.Reporter.ReportSyncFinished(ctx, report); err != nil {
		return fmt.Errorf("report end of run %s: %w", start.RunID, err)
	}
	return nil
}

// SyncReportWorkflow is the name of the workflow that reports a finished
// run (workflows.SyncReport), which StartSyncReport starts.
const SyncReportWorkflow = "SyncReport"

// syncReportTimeout bounds a SyncReport workflow: well past its activity's
// retries, so a report that cannot be made ends as a failed workflow.
const syncReportTimeout = 30 * time.Minute

// SyncReportWorkflowID is the id of the workflow that reports run runID.
func SyncReportWorkflowID(runID string) string { return "sync-report/" + runID }

// StartSyncReport starts the SyncReport workflow of a finished run on this
// activity's task queue, so the run's workflow can end without waiting for
// the report. A retry finds the report already started and leaves it.
func (a *Syncs) StartSyncReport(ctx context.Context, in ReportSyncRunInput) error {
	if a.Reporter == nil {
		return nil
	}
	_, err := a.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       SyncReportWorkflowID(in.RunID),
		TaskQueue:                activity.GetInfo(ctx).TaskQueue,
		WorkflowExecutionTimeout: syncReportTimeout,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		Memo:                     map[string]any{"team_id": in.TeamID, "run_id": in.RunID},
	}, SyncReportWorkflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("start the report of run %s: %w", in.RunID, err)
	}
	return nil
}

// loadSyncStart loads a run and names it after its integration, unless
// name is already known.
func (a *Syncs) loadSyncStart(ctx context.Context, team, runIDText, name string) (SyncStart, db.SyncRun, error) {
	teamID, runID, err := parseIDs(team, runIDText)
	if err != nil {
		return SyncStart{}, db.SyncRun{}, err
	}
	q := a.queries()
	run, err := q.SyncRunGet(ctx, db.SyncRunGetParams{TeamID: teamID, ID: runID})
	if err != nil {
		return SyncStart{}, db.SyncRun{}, fmt.Errorf("load run %s: %w", runID, err)
	}
	if name == "" {
		integration, err := q.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: run.IntegrationID})
		if err != nil {
			return SyncStart{}, db.SyncRun{}, fmt.Errorf("load integration of run %s: %w", runID, err)
		}
		name = integration.Name
	}
	start := SyncStart{TeamID: teamID, RunID: runID.String(), IntegrationName: name, IntegrationID: run.IntegrationID.String(), StartedAt: run.CreatedAt}
	if run.StartedAt != nil {
		start.StartedAt = *run.StartedAt
	}
	return start, run, nil
}

// reportTables describes the run's succeeded tables with their lake columns.
func (a *Syncs) reportTables(ctx context.Context, run db.SyncRun) ([]SyncReportTable, error) {
	tables, err := a.queries().SyncRunTableList(ctx, db.SyncRunTableListParams{TeamID: run.TeamID, RunIds: []uuid.UUID{run.ID}})
	if err != nil {
		return nil, fmt.Errorf("load tables of run %s: %w", run.ID, err)
	}
	lk, err := a.teamLake(ctx, run.TeamID)
	if err != nil {
		return nil, err
	}
	var out []SyncReportTable
	for _, t := range tables {
		if t.Status != "succeeded" {
			continue
		}
		src, dest := splitRef(t.SourceTable), splitRef(t.DestTable)
		cols, err := lk.Columns(ctx, dest)
		if err != nil {
			return nil, fmt.Errorf("lake columns of %s: %w", t.DestTable, err)
		}
		out = append(out, SyncReportTable{SourceSchema: src.Schema, Table: dest.Name, DestSchema: dest.Schema, Columns: cols, Rows: t.RowsWritten})
	}
	return out, nil
}

// splitRef splits "schema.table" at its first dot.
func splitRef(s string) connectors.TableRef {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return connectors.TableRef{Schema: s[:i], Name: s[i+1:]}
		}
	}
	return connectors.TableRef{Name: s}
}
