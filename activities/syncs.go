package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/sluice-dev/sluice/alerts"
	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/lake"
	"github.com/sluice-dev/sluice/secrets"
	"github.com/sluice-dev/sluice/syncspec"
)

// Syncs holds the activities of sync runs: planning, copying tables into the
// team's lake and recording outcomes.
type Syncs struct {
	Pool    *pgxpool.Pool
	Keyring *secrets.Keyring
	// DataDir holds each team's lake files under lake/<team id>.
	DataDir string
	// Lakes is where the teams' lakes keep their files when SLUICE_LAKE_URL
	// is set; nil is DataDir/lake.
	Lakes *lake.Location
	// Reporter, when set, records finished runs in pipeline observability.
	Reporter SyncReporter
	// Temporal starts the workflows that report finished runs (with a Reporter).
	Temporal client.Client
	// ChunkRows is how many rows a copy reads between resume points; zero
	// means 500,000.
	ChunkRows int
	// CDCWindowMB is how much WAL (MiB) one read of a cdc slot's changes
	// decodes before the run commits them and advances the slot; zero means
	// 4096.
	CDCWindowMB int
	// OrphanGrace is how old a lake file no snapshot references must be
	// before a finished run removes it; zero means 24 hours.
	OrphanGrace time.Duration
	// Links build the links of the alerts a run's end emits.
	Links alerts.LinkBase
	// TableParallelism is how many copies of a run run at once when its
	// sync does not say; zero means syncspec.DefaultTableParallelism.
	TableParallelism int

	lakes sync.Map // team id → *lake.Lake
}

func (a *Syncs) queries() *db.Queries { return db.New(a.Pool) }

// teamLake opens (once per worker) the team's lake.
func (a *Syncs) teamLake(ctx context.Context, teamID uuid.UUID) (*lake.Lake, error) {
	if l, ok := a.lakes.Load(teamID); ok {
		return l.(*lake.Lake), nil
	}
	l, err := a.Lakes.OpenTeam(ctx, a.Pool, a.DataDir, teamID)
	if err != nil {
		return nil, err
	}
	actual, _ := a.lakes.LoadOrStore(teamID, l)
	return actual.(*lake.Lake), nil
}

// sealedIntegration loads a team's integration as workflow-safe input.
func (a *Syncs) sealedIntegration(ctx context.Context, teamID, id uuid.UUID) (SealedIntegration, error) {
	row, err := a.queries().IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: id})
	if errors.Is(err, errNoRows) {
		return SealedIntegration{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("integration %s no longer exists", id), ErrTypeRunGone, nil)
	}
	if err != nil {
		return SealedIntegration{}, fmt.Errorf("load integration %s: %w", id, err)
	}
	config := map[string]any{}
	if err := json.Unmarshal(row.Config, &config); err != nil {
		return SealedIntegration{}, fmt.Errorf("decode config of integration %s: %w", id, err)
	}
	return SealedIntegration{IntegrationID: row.ID.String(), Type: row.Type, Config: config, SealedSecrets: row.SealedSecrets}, nil
}

// PrepareSyncRun expands the table selectors of a started run against the
// source and returns the plan. It marks the run running too (and records a
// scheduled run without a RunID), as it did before StartSyncRun existed, so
// workflows started then still replay and finish.
func (a *Syncs) PrepareSyncRun(ctx context.Context, in PrepareSyncRunInput) (SyncPlan, error) {
	teamID, integrationID, err := parseIDs(in.TeamID, in.IntegrationID)
	if err != nil {
		return SyncPlan{}, err
	}
	run, err := a.recordRun(ctx, teamID, integrationID, StartSyncRunInput{
		TeamID: in.TeamID, IntegrationID: in.IntegrationID, ConfigID: in.ConfigID, RunID: in.RunID, WorkflowID: in.WorkflowID,
	})
	if err != nil {
		return SyncPlan{}, err
	}
	var cfg syncspec.Config
	if err := json.Unmarshal(run.Config, &cfg); err != nil {
		return SyncPlan{}, temporal.NewNonRetryableApplicationError("decode run config: "+err.Error(), ErrTypeRunGone, nil)
	}
	sealed, err := a.sealedIntegration(ctx, teamID, integrationID)
	if err != nil {
		return SyncPlan{}, err
	}
	discoverer, closeFn, err := OpenConnector[connectors.Discoverer](ctx, a.Keyring, sealed)
	if err != nil {
		return SyncPlan{}, err
	}
	defer closeFn(context.WithoutCancel(ctx))
	tables, err := selectableTables(ctx, discoverer, cfg.Tables)
	if err != nil {
		return SyncPlan{}, fmt.Errorf("list source tables: %w", err)
	}
	plan := SyncPlan{RunID: run.ID.String(), DestSchema: cfg.DestSchema, LoadMethod: cfg.LoadMethod, ConfigID: cfg.ConfigID,
		TableParallelism: a.tableParallelism(cfg)}
	for _, tp := range expandTables(cfg.ResolvedTables(), tables, in.OnlyTables) {
		if tp.Problem == "" {
			if tp, err = a.claimTable(ctx, teamID, integrationID, cfg, tp); err != nil {
				return SyncPlan{}, err
			}
		}
		if tp.Problem == "" {
			if tp, err = a.planTable(ctx, discoverer, cfg.LoadMethod, tp); err != nil {
				return SyncPlan{}, err
			}
		}
		cursorBefore := a.cursorJSON(ctx, teamID, cfg.ConfigID, tp)
		if tp.Problem == "" && cursorBefore == nil {
			tp.KeyRanges = planKeyRanges(ctx, discoverer, cfg.LoadMethod, syncspec.ResolveSplitRows(cfg.SplitRows), tp)
		}
		plan.Tables = append(plan.Tables, tp)
		if err := a.queries().SyncRunTableUpsertQueued(ctx, db.SyncRunTableUpsertQueuedParams{
			RunID: run.ID, TeamID: teamID, SourceTable: tp.Source.String(), DestTable: cfg.DestSchema + "." + tp.DestTable,
			CursorField: optional(tp.CursorField), CursorBefore: cursorBefore,
		}); err != nil {
			return SyncPlan{}, fmt.Errorf("record run tables: %w", err)
		}
	}
	return plan, nil
}

// StartSyncRun records the run as running and returns its id, creating it
// first for a scheduled trigger. It is idempotent: a retry finds the run its
// earlier attempt created by the workflow id. The workflow calls it before
// planning, so a run whose planning fails is already recorded and can be
// finished with the planning error.
func (a *Syncs) StartSyncRun(ctx context.Context, in StartSyncRunInput) (StartSyncRunOutput, error) {
	teamID, integrationID, err := parseIDs(in.TeamID, in.IntegrationID)
	if err != nil {
		return StartSyncRunOutput{}, err
	}
	run, err := a.recordRun(ctx, teamID, integrationID, in)
	if err != nil {
		return StartSyncRunOutput{}, err
	}
	return StartSyncRunOutput{RunID: run.ID.String()}, nil
}

// recordRun creates the run of a scheduled trigger (idempotently, keyed by
// workflow id) or loads the one the API created, and marks it running.
func (a *Syncs) recordRun(ctx context.Context, teamID, integrationID uuid.UUID, in StartSyncRunInput) (db.SyncRun, error) {
	var runID uuid.UUID
	if in.RunID != "" {
		id, err := uuid.Parse(in.RunID)
		if err != nil {
			return db.SyncRun{}, temporal.NewNonRetryableApplicationError("bad run id", ErrTypeRunGone, nil)
		}
		runID = id
	} else {
		id, err := a.createScheduledRun(ctx, teamID, integrationID, in)
		if err != nil {
			return db.SyncRun{}, err
		}
		runID = id
	}
	run, err := a.queries().SyncRunStart(ctx, db.SyncRunStartParams{TeamID: teamID, ID: runID})
	if errors.Is(err, errNoRows) {
		return db.SyncRun{}, temporal.NewNonRetryableApplicationError("the run is not queued or running any more", ErrTypeRunGone, nil)
	}
	if err != nil {
		return db.SyncRun{}, fmt.Errorf("start run %s: %w", runID, err)
	}
	return run, nil
}

// createScheduledRun records a queued run of the sync configuration with a
// snapshot of it, once per workflow id, and returns the run's id.
func (a *Syncs) createScheduledRun(ctx context.Context, teamID, integrationID uuid.UUID, in StartSyncRunInput) (uuid.UUID, error) {
	q := a.queries()
	cfgID, err := uuid.Parse(in.ConfigID)
	if err != nil {
		return uuid.Nil, temporal.NewNonRetryableApplicationError("bad config id", ErrTypeRunGone, nil)
	}
	row, err := q.SyncConfigGet(ctx, db.SyncConfigGetParams{TeamID: teamID, ID: cfgID})
	if errors.Is(err, errNoRows) {
		return uuid.Nil, temporal.NewNonRetryableApplicationError("the sync configuration was deleted", ErrTypeRunGone, nil)
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("load sync config %s: %w", cfgID, err)
	}
	var tables []syncspec.TableSpec
	if err := json.Unmarshal(row.Tables, &tables); err != nil {
		return uuid.Nil, temporal.NewNonRetryableApplicationError("decode tables of sync config: "+err.Error(), ErrTypeRunGone, nil)
	}
	snapshot, err := json.Marshal(syncspec.Config{
		ConfigID: row.ID.String(), IntegrationID: integrationID.String(), DestIntegrationID: row.DestIntegrationID.String(),
		DestSchema: row.DestSchema, Schedule: row.Schedule, LoadMethod: row.LoadMethod, DeleteMode: row.DeleteMode, Tables: tables,
		TableParallelism: int(row.TableParallelism), SplitRows: row.SplitRows,
	})
	if err != nil {
		return uuid.Nil, fmt.Errorf("encode config of scheduled run: %w", err)
	}
	created, err := q.SyncRunCreate(ctx, db.SyncRunCreateParams{
		ID: uuid.New(), TeamID: teamID, IntegrationID: integrationID, ConfigID: uuid.NullUUID{UUID: row.ID, Valid: true},
		Config: snapshot, Status: "queued", Trigger: "schedule", WorkflowID: in.WorkflowID,
	})
	if err != nil {
		return uuid.Nil, fmt.Errorf("record scheduled run: %w", err)
	}
	return created.ID, nil
}

// expandTables turns selectors into the tables they select now, in order,
// without duplicates, limited to only when it is set (a replay).
func expandTables(specs []syncspec.TableSpec, tables []connectors.Table, only []string) []TablePlan {
	var out []TablePlan
	seen := map[string]bool{}
	for _, spec := range specs {
		sel, err := syncspec.ParseTableSelector(spec.Name)
		if err != nil {
			out = append(out, TablePlan{Source: connectors.TableRef{Name: spec.Name}, Problem: err.Error()})
			continue
		}
		matched := false
		for _, t := range tables {
			name := t.Ref().String()
			if !sel.Matches(t.Schema, t.Name) || seen[name] || (len(only) > 0 && !slices.Contains(only, name)) {
				continue
			}
			seen[name], matched = true, true
			out = append(out, TablePlan{Source: t.Ref(), DestTable: syncspec.DestTableName(t.Name), PrimaryKeys: spec.PrimaryKeys, CursorField: spec.CursorField, DeleteMode: spec.DeleteMode})
		}
		if !matched && !sel.IsGlob() && (len(only) == 0 || slices.Contains(only, spec.Name)) && !seen[spec.Name] {
			out = append(out, TablePlan{Source: connectors.TableRef{Schema: sel.Schema, Name: sel.Pattern}, DestTable: syncspec.DestTableName(sel.Pattern),
				Problem: fmt.Sprintf("table %s does not exist in the source or is not readable", spec.Name)})
		}
	}
	return out
}

// selectableTables lists the source tables the selectors can select. Only
// a glob needs the source's catalog listed; exact names are taken as they
// are, and planTable finds out whether each exists. Listing a large
// source's catalog takes longer than describing a few tables.
func selectableTables(ctx context.Context, d connectors.Discoverer, specs []syncspec.TableSpec) ([]connectors.Table, error) {
	var named []connectors.Table
	for _, spec := range specs {
		sel, err := syncspec.ParseTableSelector(spec.Name)
		if err != nil {
			continue // expandTables reports it
		}
		if sel.IsGlob() {
			return d.Tables(ctx)
		}
		named = append(named, connectors.Table{Schema: sel.Schema, Name: sel.Pattern})
	}
	return named, nil
}

// planTable fills the primary keys from discovery and refuses a merge
// without them. A table the source cannot describe gets a problem; a
// source that cannot be reached is an error, so the planning is retried.
func (a *Syncs) planTable(ctx context.Context, d connectors.Discoverer, method string, tp TablePlan) (TablePlan, error) {
	cols, err := d.Columns(ctx, tp.Source)
	var qErr *connectors.QueryError
	switch {
	case errors.As(err, &qErr) && qErr.Kind == connectors.QueryErrNotFound:
		tp.Problem = fmt.Sprintf("table %s does not exist in the source or is not readable", tp.Source)
		return tp, nil
	case errors.As(err, &qErr) && qErr.Kind != connectors.QueryErrConnection && qErr.Kind != connectors.QueryErrTimeout:
		tp.Problem = fmt.Sprintf("describe %s: %v", tp.Source, err)
		return tp, nil
	case err != nil:
		return tp, fmt.Errorf("describe %s: %w", tp.Source, err)
	}
	if len(tp.PrimaryKeys) == 0 {
		for _, c := range cols {
			if c.PrimaryKey {
				tp.PrimaryKeys = append(tp.PrimaryKeys, c.Name)
			}
		}
	}
	if syncspec.MergesOnKeys(method) && len(tp.PrimaryKeys) == 0 {
		tp.Problem = fmt.Sprintf("%s has no primary key to merge on; set primary_keys for it or use append or overwrite", tp.Source)
	}
	return tp, nil
}

// unfinishedTables says how a run that ends as status ends its tables still
// queued or running: cancelled with it, or failed otherwise.
func unfinishedTables(teamID, runID uuid.UUID, status string) db.SyncRunTableEndUnfinishedParams {
	p := db.SyncRunTableEndUnfinishedParams{TeamID: teamID, RunID: runID, Status: "cancelled"}
	if status != "cancelled" {
		msg := "the run ended before this table finished"
		p.Status, p.Error = "failed", &msg
	}
	return p
}

// FinishSyncRun records failed tables and the run's status and totals,
// then removes the team lake's orphan files past their grace period. Given
// only a workflow id, it finishes that workflow's run if one was recorded
// and is not finished yet, and otherwise does nothing.
func (a *Syncs) FinishSyncRun(ctx context.Context, in FinishSyncRunInput) error {
	if in.RunID == "" {
		return a.finishWorkflowRun(ctx, in)
	}
	teamID, runID, err := parseIDs(in.TeamID, in.RunID)
	if err != nil {
		return err
	}
	q := a.queries()
	for _, f := range in.Failures {
		if err := q.SyncRunTableFail(ctx, db.SyncRunTableFailParams{TeamID: teamID, RunID: runID, SourceTable: f.Table, Status: f.Status, Error: optional(f.Error)}); err != nil {
			return fmt.Errorf("record failed table %s: %w", f.Table, err)
		}
	}
	if err := q.SyncRunTableEndUnfinished(ctx, unfinishedTables(teamID, runID, in.Status)); err != nil {
		return fmt.Errorf("end the unfinished tables of run %s: %w", runID, err)
	}
	run, err := q.SyncRunFinish(ctx, db.SyncRunFinishParams{TeamID: teamID, ID: runID, Status: in.Status, Error: optional(in.Error)})
	if errors.Is(err, errNoRows) {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("run %s no longer exists", runID), ErrTypeRunGone, nil)
	}
	if err != nil {
		return fmt.Errorf("record outcome of run %s: %w", runID, err)
	}
	// A retry records the outcome again and emits the same event, which
	// is kept once.
	if err := emitSyncRunEnd(ctx, q, a.Links, run); err != nil {
		return err
	}
	a.removeOrphans(ctx, teamID)
	return nil
}

// finishWorkflowRun finishes the unfinished run recorded for in.WorkflowID.
func (a *Syncs) finishWorkflowRun(ctx context.Context, in FinishSyncRunInput) error {
	teamID, err := uuid.Parse(in.TeamID)
	if err != nil {
		return temporal.NewNonRetryableApplicationError("bad team id: "+err.Error(), ErrTypeRunGone, nil)
	}
	run, err := a.queries().SyncRunGetByWorkflow(ctx, db.SyncRunGetByWorkflowParams{TeamID: teamID, WorkflowID: in.WorkflowID})
	if errors.Is(err, errNoRows) {
		return nil // nothing was recorded
	}
	if err != nil {
		return fmt.Errorf("find the run of workflow %s: %w", in.WorkflowID, err)
	}
	if run.Status != "queued" && run.Status != "running" {
		return nil
	}
	in.RunID = run.ID.String()
	return a.FinishSyncRun(ctx, in)
}

// tableParallelism is how many copies the run runs at once: its sync's
// setting, or this worker's default.
func (a *Syncs) tableParallelism(cfg syncspec.Config) int {
	switch {
	case cfg.TableParallelism > 0:
		return cfg.TableParallelism
	case a.TableParallelism > 0:
		return a.TableParallelism
	}
	return syncspec.DefaultTableParallelism
}

func parseIDs(a, b string) (uuid.UUID, uuid.UUID, error) {
	x, err1 := uuid.Parse(a)
	y, err2 := uuid.Parse(b)
	if err := errors.Join(err1, err2); err != nil {
		return uuid.Nil, uuid.Nil, temporal.NewNonRetryableApplicationError("bad id: "+err.Error(), ErrTypeRunGone, nil)
	}
	return x, y, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
