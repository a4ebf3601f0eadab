package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
)

// SyncReport is a finished sync run as pipeline observability records it:
// one task run, one transformation per copied table.
type SyncReport struct {
	TeamID          uuid.UUID
	RunID           string
	IntegrationName string
	StartedAt       time.Time
	Tables          []SyncReportTable
	Failure         string
}

// SyncReportTable is one copied table.
type SyncReportTable struct {
	SourceSchema, Table, DestSchema string
	Columns                         []connectors.Column
	Rows                            int64
}

// SyncReporter records sync runs in pipeline observability. The worker
// wires it to the service layer (activities cannot import it).
type SyncReporter interface {
	ReportSync(ctx context.Context, report SyncReport) error
}

// ReportSyncRunInput names the run to report.
type ReportSyncRunInput struct {
	TeamID string `json:"team_id"`
	RunID  string `json:"run_id"`
}

// ReportSyncRun reports a finished run to pipeline observability, so data
// moved by sluice and data transformed by the team's pipelines meet in one
// lineage graph. Without a reporter it does nothing.
func (a *Syncs) ReportSyncRun(ctx context.Context, in ReportSyncRunInput) error {
	if a.Reporter == nil {
		return nil
	}
	teamID, runID, err := parseIDs(in.TeamID, in.RunID)
	if err != nil {
		return err
	}
	q := a.queries()
	run, err := q.SyncRunGet(ctx, db.SyncRunGetParams{TeamID: teamID, ID: runID})
	if err != nil {
		return fmt.Errorf("load run %s: %w", runID, err)
	}
	integration, err := q.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: run.IntegrationID})
	if err != nil {
		return fmt.Errorf("load integration of run %s: %w", runID, err)
	}
	tables, err := q.SyncRunTableList(ctx, db.SyncRunTableListParams{TeamID: teamID, RunIds: []uuid.UUID{runID}})
	if err != nil {
		return fmt.Errorf("load tables of run %s: %w", runID, err)
	}
	lk, err := a.teamLake(ctx, teamID)
	if err != nil {
		return err
	}
	report := SyncReport{TeamID: teamID, RunID: runID.String(), IntegrationName: integration.Name, StartedAt: run.CreatedAt}
	if run.StartedAt != nil {
		report.StartedAt = *run.StartedAt
	}
	if run.Status != "succeeded" && run.Error != nil {
		report.Failure = *run.Error
	}
	for _, t := range tables {
		if t.Status != "succeeded" {
			continue
		}
		src, dest := splitRef(t.SourceTable), splitRef(t.DestTable)
		cols, err := lk.Columns(ctx, dest)
		if err != nil {
			return fmt.Errorf("lake columns of %s: %w", t.DestTable, err)
		}
		report.Tables = append(report.Tables, SyncReportTable{SourceSchema: src.Schema, Table: dest.Name, DestSchema: dest.Schema, Columns: cols, Rows: t.RowsWritten})
	}
	return a.Reporter.ReportSync(ctx, report)
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
