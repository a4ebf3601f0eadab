package service

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/syncspec"
	"github.com/sluice-dev/sluice/workflows"
)

// SyncRun is a run with its tables, as the history shows it.
type SyncRun struct {
	db.SyncRun
	Tables        []db.SyncRunTable
	TemporalUIURL string
}

// maxHistory bounds one page of history.
const maxHistory = 500

// SyncHistory lists an integration's runs, newest first.
func (s *Service) SyncHistory(ctx context.Context, teamID, integrationID uuid.UUID, limit int) ([]SyncRun, error) {
	if limit < 0 || limit > maxHistory {
		return nil, &InputError{Field: "limit", Problem: fmt.Sprintf("must be between 1 and %d", maxHistory)}
	}
	if limit == 0 {
		limit = 50
	}
	if _, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: integrationID}); err != nil {
		return nil, fmt.Errorf("sync history: %w", dbError(err))
	}
	runs, err := s.queries.SyncRunList(ctx, db.SyncRunListParams{TeamID: teamID, IntegrationID: integrationID, Limit: int32(limit)})
	if err != nil {
		return nil, fmt.Errorf("sync history: %w", dbError(err))
	}
	return s.withTables(ctx, teamID, runs)
}

// GetSyncRun returns one run.
func (s *Service) GetSyncRun(ctx context.Context, teamID, runID uuid.UUID) (SyncRun, error) {
	run, err := s.queries.SyncRunGet(ctx, db.SyncRunGetParams{TeamID: teamID, ID: runID})
	if err != nil {
		return SyncRun{}, fmt.Errorf("sync run %s: %w", runID, dbError(err))
	}
	out, err := s.withTables(ctx, teamID, []db.SyncRun{run})
	if err != nil {
		return SyncRun{}, err
	}
	return out[0], nil
}

func (s *Service) withTables(ctx context.Context, teamID uuid.UUID, runs []db.SyncRun) ([]SyncRun, error) {
	ids := make([]uuid.UUID, len(runs))
	for i, r := range runs {
		ids[i] = r.ID
	}
	tables, err := s.queries.SyncRunTableList(ctx, db.SyncRunTableListParams{TeamID: teamID, RunIds: ids})
	if err != nil {
		return nil, fmt.Errorf("sync run tables: %w", dbError(err))
	}
	out := make([]SyncRun, len(runs))
	for i, r := range runs {
		out[i] = SyncRun{SyncRun: r, TemporalUIURL: s.workflowURL(r.WorkflowID), Tables: []db.SyncRunTable{}}
		for _, t := range tables {
			if t.RunID == r.ID {
				out[i].Tables = append(out[i].Tables, t)
			}
		}
	}
	return out, nil
}

// workflowURL links a workflow in the Temporal UI, when sluice knows where it is.
func (s *Service) workflowURL(workflowID string) string {
	if s.opts.TemporalUIURL == "" {
		return ""
	}
	ns := s.opts.Namespace
	if ns == "" {
		ns = "default"
	}
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s", s.opts.TemporalUIURL, url.PathEscape(ns), url.PathEscape(workflowID))
}

// RunSync starts a run of the integration's sync now.
func (s *Service) RunSync(ctx context.Context, teamID, integrationID uuid.UUID) (SyncRun, error) {
	cfg, err := s.GetSyncConfig(ctx, teamID, integrationID)
	if err != nil {
		return SyncRun{}, err
	}
	snapshot := syncspec.Config{
		ConfigID: cfg.ID.String(), IntegrationID: integrationID.String(), DestIntegrationID: cfg.DestIntegrationID.String(),
		DestSchema: cfg.DestSchema, Schedule: cfg.Schedule, LoadMethod: cfg.LoadMethod, DeleteMode: cfg.DeleteMode, Tables: cfg.Tables,
		TableParallelism: int(cfg.TableParallelism), SplitRows: cfg.SplitRows,
	}
	return s.startRun(ctx, teamID, integrationID, snapshot, "manual", uuid.NullUUID{}, nil)
}

// ReplaySync re-runs a finished run with the configuration it ran with:
// only its failed tables, or every table when all is true.
func (s *Service) ReplaySync(ctx context.Context, teamID, runID uuid.UUID, all bool) (SyncRun, error) {
	old, err := s.GetSyncRun(ctx, teamID, runID)
	if err != nil {
		return SyncRun{}, err
	}
	if !RunFinished(old.Status) {
		return SyncRun{}, &ConflictError{What: fmt.Sprintf("run %s is %s; only a finished run can be replayed", runID, old.Status)}
	}
	var cfg syncspec.Config
	if err := json.Unmarshal(old.Config, &cfg); err != nil {
		return SyncRun{}, fmt.Errorf("decode config of run %s: %w", runID, err)
	}
	var only []string
	// A cdc replay copies every table from a fresh slot: the slot and its
	// publication cover them all.
	if !all && cfg.LoadMethod != syncspec.LoadCDC {
		for _, t := range old.Tables {
			if t.Status != "succeeded" {
				only = append(only, t.SourceTable)
			}
		}
		if len(only) == 0 && len(old.Tables) > 0 {
			return SyncRun{}, &InputError{Field: "tables", Problem: "the run has no failed table to replay; send {\"tables\": \"all\"} to run every table again"}
		}
	}
	return s.startRun(ctx, teamID, old.IntegrationID, cfg, "replay", uuid.NullUUID{UUID: runID, Valid: true}, only)
}

// startRun records a queued run and starts its workflow.
func (s *Service) startRun(ctx context.Context, teamID, integrationID uuid.UUID, cfg syncspec.Config, trigger string, replayOf uuid.NullUUID, only []string) (SyncRun, error) {
	source, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: integrationID})
	if err != nil {
		return SyncRun{}, fmt.Errorf("start sync: %w", dbError(err))
	}
	runID := uuid.New()
	workflowID := fmt.Sprintf("sync/%s/%s", integrationID, runID)
	configJSON, _ := json.Marshal(cfg)
	configID, _ := uuid.Parse(cfg.ConfigID)
	run, err := s.queries.SyncRunCreate(ctx, db.SyncRunCreateParams{
		ID: runID, TeamID: teamID, IntegrationID: integrationID, ConfigID: uuid.NullUUID{UUID: configID, Valid: configID != uuid.Nil},
		Config: configJSON, Status: "queued", Trigger: trigger, ReplayOf: replayOf, WorkflowID: workflowID,
	})
	if err != nil {
		return SyncRun{}, fmt.Errorf("record sync run: %w", dbError(err))
	}
	_, err = s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        workflowID,
		TaskQueue: s.opts.TaskQueue,
		Memo:      map[string]any{"team_id": teamID.String(), "integration": source.Name, "trigger": trigger},
	}, workflows.SyncWorkflow, workflows.SyncInput{
		TeamID: teamID.String(), IntegrationID: integrationID.String(), RunID: runID.String(), Trigger: trigger, OnlyTables: only,
	})
	if err != nil {
		_, _ = s.queries.SyncRunFinish(ctx, db.SyncRunFinishParams{TeamID: teamID, ID: runID, Status: "failed", Error: ptr("could not start: " + err.Error())})
		return SyncRun{}, fmt.Errorf("start sync workflow: %w: %v", ErrUnavailable, err)
	}
	return SyncRun{SyncRun: run, TemporalUIURL: s.workflowURL(workflowID), Tables: []db.SyncRunTable{}}, nil
}

// CancelSync cancels a queued or running run; its workflow records the outcome.
func (s *Service) CancelSync(ctx context.Context, teamID, runID uuid.UUID) (SyncRun, error) {
	run, err := s.GetSyncRun(ctx, teamID, runID)
	if err != nil {
		return SyncRun{}, err
	}
	if run.Status != "queued" && run.Status != "running" {
		return SyncRun{}, &ConflictError{What: fmt.Sprintf("run %s is %s; only a queued or running run can be cancelled", runID, run.Status)}
	}
	if err := s.temporal.CancelWorkflow(ctx, run.WorkflowID, ""); err != nil && !isNotFound(err) {
		return SyncRun{}, fmt.Errorf("cancel sync: %w: %v", ErrUnavailable, err)
	}
	return run, nil
}

func ptr[T any](v T) *T { return &v }
