package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/syncspec"
	"github.com/sluice-dev/sluice/workflows"
)

// maxSyncTables bounds a sync's table list.
const maxSyncTables = 500

// SyncConfigInput configures an integration's sync. DeleteMode is keep,
// hard or soft; empty keeps a stored merge configuration's and gives a new
// one syncspec.DefaultDeleteMode. TableParallelism 0 takes the worker's
// default; SplitRows nil or 0 never splits.
type SyncConfigInput struct {
	DestSchema        string
	Schedule          string
	Tables            []syncspec.TableSpec
	LoadMethod        string
	DeleteMode        string
	DestIntegrationID *uuid.UUID
	TableParallelism  int
	SplitRows         *int64
}

// SyncConfig is a saved sync configuration with its next scheduled run.
type SyncConfig struct {
	db.SyncConfig
	Tables     []syncspec.TableSpec
	ScheduleID string
	NextRunAt  *time.Time
}

// scheduleID derives the Temporal Schedule id from the config id.
func scheduleID(configID uuid.UUID) string { return "sync-schedule/" + configID.String() }

// ConfigureSync validates and saves an integration's sync configuration and
// creates or updates its Temporal Schedule, both or neither.
func (s *Service) ConfigureSync(ctx context.Context, teamID, integrationID uuid.UUID, in SyncConfigInput) (SyncConfig, error) {
	source, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: integrationID})
	if err != nil {
		return SyncConfig{}, fmt.Errorf("configure sync: %w", dbError(err))
	}
	if source.Type == "ducklake" {
		return SyncConfig{}, &InputError{Field: "integration", Problem: "is the lake itself; sync from a source integration"}
	}
	sched, err := s.validateSyncInput(ctx, teamID, integrationID, &in)
	if err != nil {
		return SyncConfig{}, err
	}
	tablesJSON, _ := json.Marshal(in.Tables)
	var saved SyncConfig
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		stored, err := s.queries.WithTx(tx).SyncConfigGetByIntegration(ctx, db.SyncConfigGetByIntegrationParams{TeamID: teamID, IntegrationID: integrationID})
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("read the stored sync config: %w", dbError(err))
		}
		if err := s.resetCDCOnTableChange(ctx, s.queries.WithTx(tx), stored, err == nil, in, tablesJSON); err != nil {
			return err
		}
		row, err := s.queries.WithTx(tx).SyncConfigUpsert(ctx, db.SyncConfigUpsertParams{
			TeamID: teamID, IntegrationID: integrationID, DestIntegrationID: *in.DestIntegrationID,
			DestSchema: in.DestSchema, Schedule: sched.Text, Tables: tablesJSON, LoadMethod: in.LoadMethod, DeleteMode: in.DeleteMode,
			TableParallelism: int32(in.TableParallelism), SplitRows: in.SplitRows,
		})
		if err != nil {
			return fmt.Errorf("save sync config: %w", dbError(err))
		}
		if err := s.claimSyncTables(ctx, s.queries.WithTx(tx), row, in.Tables); err != nil {
			return err
		}
		saved = SyncConfig{SyncConfig: row, Tables: in.Tables, ScheduleID: scheduleID(row.ID)}
		return s.upsertSchedule(ctx, teamID, source, row, sched)
	})
	if err != nil {
		return SyncConfig{}, err
	}
	saved.NextRunAt = s.nextRun(ctx, saved.SyncConfig, sched)
	return saved, nil
}

// validateSyncInput checks the input against the catalog of the source,
// filling defaults (merge, the team's lake).
func (s *Service) validateSyncInput(ctx context.Context, teamID, integrationID uuid.UUID, in *SyncConfigInput) (syncspec.Schedule, error) {
	if !syncspec.ValidIdentifier(in.DestSchema) {
		return syncspec.Schedule{}, &InputError{Field: "dest_schema", Problem: "must be a letter or underscore followed by up to 62 letters, digits or underscores"}
	}
	sched, err := syncspec.ParseSchedule(in.Schedule)
	if err != nil {
		return sched, &InputError{Field: "schedule", Problem: err.Error()}
	}
	if in.LoadMethod == "" {
		in.LoadMethod = syncspec.LoadMerge
	}
	if !slices.Contains([]string{syncspec.LoadMerge, syncspec.LoadAppend, syncspec.LoadOverwrite, syncspec.LoadCDC}, in.LoadMethod) {
		return sched, &InputError{Field: "load_method", Problem: "must be merge, append, overwrite or cdc"}
	}
	if in.LoadMethod == syncspec.LoadCDC {
		if err := s.checkCDCType(ctx, teamID, integrationID); err != nil {
			return sched, err
		}
	}
	if err := syncspec.CheckTableParallelism(in.TableParallelism); err != nil {
		return sched, &InputError{Field: "table_parallelism", Problem: err.Error()}
	}
	if err := syncspec.CheckSplitRows(in.SplitRows); err != nil {
		return sched, &InputError{Field: "split_rows", Problem: err.Error()}
	}
	if len(in.Tables) == 0 || len(in.Tables) > maxSyncTables {
		return sched, &InputError{Field: "tables", Problem: fmt.Sprintf("must list 1 to %d tables", maxSyncTables)}
	}
	if err := s.resolveDeleteMode(ctx, teamID, integrationID, in); err != nil {
		return sched, err
	}
	lakeRow, err := s.TeamLake(ctx, teamID)
	if err != nil {
		return sched, err
	}
	if in.DestIntegrationID == nil {
		in.DestIntegrationID = &lakeRow.ID
	} else if *in.DestIntegrationID != lakeRow.ID {
		return sched, &InputError{Field: "dest_integration_id", Problem: "must be the team's lake (the only destination sluice writes today)"}
	}
	if err := s.checkSyncTables(ctx, teamID, integrationID, in); err != nil {
		return sched, err
	}
	if in.LoadMethod == syncspec.LoadCDC {
		return sched, s.checkCDCSource(ctx, teamID, integrationID, in.Tables)
	}
	return sched, nil
}

// checkSyncTables checks each selector parses, each exact table exists, every
// table selected now has a primary key when merging, and cursor fields exist.
func (s *Service) checkSyncTables(ctx context.Context, teamID, integrationID uuid.UUID, in *SyncConfigInput) error {
	tables, err := s.ListTables(ctx, teamID, integrationID, false)
	if err != nil {
		return err
	}
	for i, spec := range in.Tables {
		field := fmt.Sprintf("tables[%d]", i)
		sel, err := syncspec.ParseTableSelector(spec.Name)
		if err != nil {
			return &InputError{Field: field, Problem: err.Error()}
		}
		var matched []connectors.Table
		for _, t := range tables.Value {
			if sel.Matches(t.Schema, t.Name) {
				matched = append(matched, t)
			}
		}
		if len(matched) == 0 && !sel.IsGlob() {
			return &InputError{Field: field, Problem: fmt.Sprintf("table %s does not exist or is not readable", spec.Name)}
		}
		for _, t := range matched {
			cols, err := s.DescribeTable(ctx, teamID, integrationID, t.Ref().String(), false)
			if err != nil {
				return err
			}
			if err := checkTableSpec(spec, in.LoadMethod, t.Ref(), cols.Value.Columns); err != nil {
				return &InputError{Field: field, Problem: err.Error()}
			}
		}
	}
	return nil
}

func checkTableSpec(spec syncspec.TableSpec, method string, ref connectors.TableRef, cols []connectors.Column) error {
	has := func(name string) bool {
		return slices.ContainsFunc(cols, func(c connectors.Column) bool { return c.Name == name })
	}
	for _, k := range spec.PrimaryKeys {
		if !has(k) {
			return fmt.Errorf("primary key column %s is not a column of %s", k, ref)
		}
	}
	if spec.CursorField != "" && !has(spec.CursorField) {
		return fmt.Errorf("cursor_field %s is not a column of %s", spec.CursorField, ref)
	}
	if spec.CursorField != "" && method == syncspec.LoadOverwrite {
		return fmt.Errorf("cursor_field reads only rows past the last sync, so overwrite would replace %s with them; use merge or append", ref)
	}
	if syncspec.MergesOnKeys(method) && len(spec.PrimaryKeys) == 0 &&
		!slices.ContainsFunc(cols, func(c connectors.Column) bool { return c.PrimaryKey }) {
		return fmt.Errorf("%s has no primary key to merge on; set primary_keys or use load_method append or overwrite", ref)
	}
	return nil
}

// upsertSchedule creates the config's Temporal Schedule, or updates it.
func (s *Service) upsertSchedule(ctx context.Context, teamID uuid.UUID, source db.Integration, cfg db.SyncConfig, sched syncspec.Schedule) error {
	action := &client.ScheduleWorkflowAction{
		ID:        fmt.Sprintf("sync/%s/scheduled", source.ID),
		Workflow:  workflows.SyncWorkflow,
		Args:      []any{workflows.SyncInput{TeamID: teamID.String(), IntegrationID: source.ID.String(), ConfigID: cfg.ID.String(), Trigger: "schedule"}},
		TaskQueue: s.opts.TaskQueue,
		Memo:      map[string]any{"team_id": teamID.String(), "integration": source.Name, "trigger": "schedule"},
	}
	spec := scheduleSpec(sched)
	handle := s.temporal.ScheduleClient().GetHandle(ctx, scheduleID(cfg.ID))
	err := handle.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		in.Description.Schedule.Spec = &spec
		in.Description.Schedule.Action = action
		return &client.ScheduleUpdate{Schedule: &in.Description.Schedule}, nil
	}})
	if err == nil {
		return nil
	}
	_, err = s.temporal.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:            scheduleID(cfg.ID),
		Spec:          spec,
		Action:        action,
		Overlap:       enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: time.Hour,
		Paused:        cfg.Paused,
		Memo:          map[string]any{"team_id": teamID.String(), "integration": source.Name},
	})
	if err != nil {
		return fmt.Errorf("create schedule: %w: %v", ErrUnavailable, err)
	}
	return nil
}

func scheduleSpec(sched syncspec.Schedule) client.ScheduleSpec {
	if sched.Cron != "" {
		return client.ScheduleSpec{CronExpressions: []string{sched.Cron}}
	}
	return client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: sched.Interval}}}
}

// nextRun asks Temporal when the schedule fires next; sluice's own
// computation is the fallback when Temporal cannot say.
func (s *Service) nextRun(ctx context.Context, cfg db.SyncConfig, sched syncspec.Schedule) *time.Time {
	if cfg.Paused {
		return nil
	}
	desc, err := s.temporal.ScheduleClient().GetHandle(ctx, scheduleID(cfg.ID)).Describe(ctx)
	if err == nil && len(desc.Info.NextActionTimes) > 0 {
		t := desc.Info.NextActionTimes[0]
		return &t
	}
	t := sched.Next(time.Now())
	return &t
}

// GetSyncConfig returns an integration's sync configuration.
func (s *Service) GetSyncConfig(ctx context.Context, teamID, integrationID uuid.UUID) (SyncConfig, error) {
	row, err := s.queries.SyncConfigGetByIntegration(ctx, db.SyncConfigGetByIntegrationParams{TeamID: teamID, IntegrationID: integrationID})
	if err != nil {
		return SyncConfig{}, fmt.Errorf("sync config of %s: %w", integrationID, dbError(err))
	}
	return s.syncConfigView(ctx, row)
}

func (s *Service) syncConfigView(ctx context.Context, row db.SyncConfig) (SyncConfig, error) {
	out := SyncConfig{SyncConfig: row, ScheduleID: scheduleID(row.ID)}
	if err := json.Unmarshal(row.Tables, &out.Tables); err != nil {
		return out, fmt.Errorf("decode sync tables: %w", err)
	}
	if sched, err := syncspec.ParseSchedule(row.Schedule); err == nil {
		out.NextRunAt = s.nextRun(ctx, row, sched)
	}
	return out, nil
}

// DeleteSyncConfig removes the configuration and its schedule. History
// stays, and so do its lake tables, which no sync owns any more (another
// may claim them); DeleteSyncConfigDroppingTables drops them too.
func (s *Service) DeleteSyncConfig(ctx context.Context, teamID, integrationID uuid.UUID) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		id, err := s.queries.WithTx(tx).SyncConfigDelete(ctx, db.SyncConfigDeleteParams{TeamID: teamID, IntegrationID: integrationID})
		if err != nil {
			return fmt.Errorf("delete sync config: %w", dbError(err))
		}
		return s.deleteSchedule(ctx, id)
	})
}

// deleteSchedule deletes a sync config's Temporal Schedule; one already gone
// is not an error.
func (s *Service) deleteSchedule(ctx context.Context, configID uuid.UUID) error {
	err := s.temporal.ScheduleClient().GetHandle(ctx, scheduleID(configID)).Delete(ctx)
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("delete schedule %s: %w: %v", scheduleID(configID), ErrUnavailable, err)
	}
	return nil
}

// SetSyncPaused pauses or resumes an integration's schedule.
func (s *Service) SetSyncPaused(ctx context.Context, teamID, integrationID uuid.UUID, paused bool) (SyncConfig, error) {
	var out SyncConfig
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		row, err := s.queries.WithTx(tx).SyncConfigSetPaused(ctx, db.SyncConfigSetPausedParams{TeamID: teamID, IntegrationID: integrationID, Paused: paused})
		if err != nil {
			return fmt.Errorf("pause sync: %w", dbError(err))
		}
		handle := s.temporal.ScheduleClient().GetHandle(ctx, scheduleID(row.ID))
		if paused {
			err = handle.Pause(ctx, client.SchedulePauseOptions{Note: "paused through the API"})
		} else {
			err = handle.Unpause(ctx, client.ScheduleUnpauseOptions{Note: "resumed through the API"})
		}
		if err != nil {
			return fmt.Errorf("pause schedule: %w: %v", ErrUnavailable, err)
		}
		out, err = s.syncConfigView(ctx, row)
		return err
	})
	return out, err
}

// isNotFound reports a Temporal "not found" answer.
func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}
