package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/observability"
	"github.com/sluice-dev/sluice/workflows"
)

// TaskStart reports that a task run started.
type TaskStart struct {
	TaskID   string
	AppName  string
	TaskName string
	TaskType string
	Env      string
	// AppPIT is the app's point in time as sent ("2025-09-01", "2025-09-01T10:00:00"); may be empty.
	AppPIT string
	// StartedAt is when the run started; zero means now.
	StartedAt time.Time
}

// TaskEnd reports that a task run ended.
type TaskEnd struct {
	TaskID string
	// Result is success (the default) or failed.
	Result string
	Error  string
	// EndedAt is when the run ended; nil means when the end arrives.
	EndedAt *time.Time
}

// TaskRun is a task run as the API shows it.
type TaskRun struct {
	TaskID     string
	AppName    string
	TaskName   string
	TaskType   string
	Env        string
	AppPIT     *time.Time
	Status     string
	Error      string
	StartedAt  time.Time
	EndedAt    *time.Time
	DurationMS *int64
	WorkflowID string
}

func taskRunFromRow(r db.ObsTaskRun) TaskRun {
	return TaskRun{
		TaskID: r.TaskID, AppName: r.AppName, TaskName: r.TaskName, TaskType: r.TaskType, Env: r.Env,
		AppPIT: r.AppPit, Status: r.Status, Error: r.Error, StartedAt: r.StartedAt, EndedAt: r.EndedAt,
		DurationMS: r.DurationMs, WorkflowID: r.WorkflowID,
	}
}

func (in TaskStart) check() error {
	return checkText(
		taskIDRule(in.TaskID),
		textRule{field: "app_name", value: in.AppName, max: observability.MaxNameLength, required: true},
		textRule{field: "task_name", value: in.TaskName, max: observability.MaxNameLength, required: true},
		textRule{field: "task_type", value: in.TaskType, max: observability.MaxNameLength, required: true},
		textRule{field: "env", value: in.Env, max: observability.MaxNameLength},
		textRule{field: "app_pit", value: in.AppPIT, max: 64},
	)
}

// StartTask records a task run and starts its TaskRunWorkflow, in one step:
// if the workflow cannot be started nothing is recorded. A repeated start of
// the same task is answered with the recorded run (created = false); a
// task_id already used by another app or task is a ConflictError.
func (s *Service) StartTask(ctx context.Context, teamID uuid.UUID, in TaskStart) (run TaskRun, created bool, err error) {
	if err := in.check(); err != nil {
		return TaskRun{}, false, err
	}
	err = s.withReportTx(ctx, func(q *db.Queries) error {
		row, isNew, timeout, err := ensureTaskRun(ctx, q, teamID, in)
		if err != nil {
			return err
		}
		run, created = taskRunFromRow(row), isNew
		if row.Status != observability.StatusRunning {
			return nil
		}
		return s.startTaskRunWorkflow(ctx, teamID, row, timeout)
	})
	return run, created, err
}

// ensureTaskRun creates the run (and its app) unless the team already has one
// with this task_id, and returns it with the app's timeout.
func ensureTaskRun(ctx context.Context, q *db.Queries, teamID uuid.UUID, in TaskStart) (db.ObsTaskRun, bool, time.Duration, error) {
	var pit *time.Time
	if in.AppPIT != "" {
		t, err := observability.ParseTime(in.AppPIT)
		if err != nil {
			return db.ObsTaskRun{}, false, 0, &InputError{Field: "app_pit", Problem: err.Error()}
		}
		pit = &t
	}
	app, err := q.ObsAppEnsure(ctx, db.ObsAppEnsureParams{TeamID: teamID, Name: in.AppName})
	if err != nil {
		return db.ObsTaskRun{}, false, 0, fmt.Errorf("record app %s: %w", in.AppName, dbError(err))
	}
	timeout := observability.DefaultTaskTimeout
	if app.TaskTimeoutSeconds != nil {
		timeout = time.Duration(*app.TaskTimeoutSeconds) * time.Second
	}
	startedAt := in.StartedAt
	if startedAt.IsZero() {
		startedAt = time.Now()
	}
	row, err := q.ObsTaskRunCreate(ctx, db.ObsTaskRunCreateParams{
		TeamID: teamID, TaskID: in.TaskID, AppName: in.AppName, TaskName: in.TaskName, TaskType: in.TaskType,
		Env: in.Env, AppPit: pit, WorkflowID: observability.TaskRunWorkflowID(teamID, in.TaskID), StartedAt: startedAt,
	})
	if err == nil {
		return row, true, timeout, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return db.ObsTaskRun{}, false, 0, fmt.Errorf("record task run %s: %w", in.TaskID, dbError(err))
	}
	existing, err := q.ObsTaskRunGet(ctx, db.ObsTaskRunGetParams{TeamID: teamID, TaskID: in.TaskID})
	if err != nil {
		return db.ObsTaskRun{}, false, 0, fmt.Errorf("read task run %s: %w", in.TaskID, dbError(err))
	}
	if existing.AppName != in.AppName || existing.TaskName != in.TaskName {
		return db.ObsTaskRun{}, false, 0, &ConflictError{What: fmt.Sprintf(
			"task_id %q is already used by task %s of app %s; task ids must be unique", in.TaskID, existing.TaskName, existing.AppName)}
	}
	return existing, false, timeout, nil
}

// startTaskRunWorkflow starts the run's lifecycle workflow, or leaves the one
// already running alone. A workflow that already finished for this task_id is
// not started again.
func (s *Service) startTaskRunWorkflow(ctx context.Context, teamID uuid.UUID, run db.ObsTaskRun, timeout time.Duration) error {
	_, err := s.temporal.ExecuteWorkflow(ctx, s.taskRunWorkflowOptions(teamID, run), workflows.TaskRunWorkflow, taskRunInput(teamID, run, timeout))
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &already) {
		return fmt.Errorf("start workflow of task %s: %w: %v", run.TaskID, ErrUnavailable, err)
	}
	return nil
}

func (s *Service) taskRunWorkflowOptions(teamID uuid.UUID, run db.ObsTaskRun) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       run.WorkflowID,
		TaskQueue:                s.opts.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		Memo: map[string]any{
			"team_id": teamID.String(), "task_id": run.TaskID, "app_name": run.AppName, "task_name": run.TaskName,
		},
	}
}

func taskRunInput(teamID uuid.UUID, run db.ObsTaskRun, timeout time.Duration) workflows.TaskRunInput {
	return workflows.TaskRunInput{TeamID: teamID, TaskRunID: run.ID, TaskID: run.TaskID, StartedAt: run.StartedAt, Timeout: timeout}
}

// EndTask reports a run's end to its workflow, which records it and checks
// the run's metrics. It answers at once with the run as recorded so far. An
// end for a run that already ended is a no-op; for a run that timed out it is
// a ConflictError; for an unknown task_id a MissingError.
func (s *Service) EndTask(ctx context.Context, teamID uuid.UUID, in TaskEnd) (TaskRun, error) {
	if err := checkText(taskIDRule(in.TaskID), textRule{field: "error", value: in.Error, max: observability.MaxErrorLength}); err != nil {
		return TaskRun{}, err
	}
	status, err := endStatus(in.Result)
	if err != nil {
		return TaskRun{}, err
	}
	row, err := s.queries.ObsTaskRunGet(ctx, db.ObsTaskRunGetParams{TeamID: teamID, TaskID: in.TaskID})
	if errors.Is(err, pgx.ErrNoRows) {
		return TaskRun{}, taskNotStarted(in.TaskID)
	}
	if err != nil {
		return TaskRun{}, fmt.Errorf("read task run %s: %w", in.TaskID, dbError(err))
	}
	if err := s.signalTaskRunEnd(ctx, teamID, row, workflows.TaskRunEnd{Status: status, Error: in.Error, EndedAt: in.EndedAt}); err != nil {
		return TaskRun{}, err
	}
	return taskRunFromRow(row), nil
}

func endStatus(result string) (string, error) {
	switch result {
	case "", "success", "succeeded", "ok":
		return observability.StatusSuccess, nil
	case "failed", "failure", "error":
		return observability.StatusFailed, nil
	}
	return "", &InputError{Field: "result", Problem: fmt.Sprintf("%q is not success or failed", result)}
}

// signalTaskRunEnd delivers the end to the run's workflow, starting it with
// the signal if it is missing (a run recorded by an end-only report).
func (s *Service) signalTaskRunEnd(ctx context.Context, teamID uuid.UUID, row db.ObsTaskRun, end workflows.TaskRunEnd) error {
	switch row.Status {
	case observability.StatusTimedOut:
		return timedOut(row)
	case observability.StatusSuccess, observability.StatusFailed:
		return nil
	}
	_, err := s.temporal.SignalWithStartWorkflow(ctx, row.WorkflowID, workflows.SignalTaskRunEnd, end,
		s.taskRunWorkflowOptions(teamID, row), workflows.TaskRunWorkflow, taskRunInput(teamID, row, 0))
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &already) {
		// The workflow finished between our read and the signal: it timed out or
		// recorded another end. Answer from what it recorded.
		latest, readErr := s.queries.ObsTaskRunGet(ctx, db.ObsTaskRunGetParams{TeamID: teamID, TaskID: row.TaskID})
		if readErr == nil && latest.Status == observability.StatusTimedOut {
			return timedOut(latest)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("signal end of task %s: %w: %v", row.TaskID, ErrUnavailable, err)
	}
	return nil
}

func timedOut(row db.ObsTaskRun) error {
	return &ConflictError{What: fmt.Sprintf("task %q timed out before its end was reported; its deadline is set per app (PUT /api/pipelines/%s/settings)", row.TaskID, row.AppName)}
}

// maxTaskTimeout bounds a per-app timeout (30 days, as the database does).
const maxTaskTimeout = 30 * 24 * time.Hour

// AppSettings are an app's settings.
type AppSettings struct {
	AppName string
	// TaskTimeout is how long a run may go without an end; nil means the default.
	TaskTimeout *time.Duration
}

// SetAppSettings sets how long runs of an app may go without reporting their
// end (nil restores the default of 24 h). It applies to runs started later.
func (s *Service) SetAppSettings(ctx context.Context, teamID uuid.UUID, in AppSettings) (AppSettings, error) {
	if err := checkText(textRule{field: "app_name", value: in.AppName, max: observability.MaxNameLength, required: true}); err != nil {
		return AppSettings{}, err
	}
	var seconds *int32
	if in.TaskTimeout != nil {
		d := *in.TaskTimeout
		if d < time.Second || d > maxTaskTimeout {
			return AppSettings{}, &InputError{Field: "task_timeout_seconds", Problem: "must be between 1 and 2592000 (30 days)"}
		}
		v := int32(d / time.Second)
		seconds = &v
	}
	app, err := s.queries.ObsAppSetTimeout(ctx, db.ObsAppSetTimeoutParams{TeamID: teamID, Name: in.AppName, TaskTimeoutSeconds: seconds})
	if err != nil {
		return AppSettings{}, fmt.Errorf("set settings of app %s: %w", in.AppName, dbError(err))
	}
	return appSettingsFromRow(app), nil
}

func appSettingsFromRow(app db.ObsApp) AppSettings {
	out := AppSettings{AppName: app.Name}
	if app.TaskTimeoutSeconds != nil {
		d := time.Duration(*app.TaskTimeoutSeconds) * time.Second
		out.TaskTimeout = &d
	}
	return out
}

// withReportTx runs fn in one transaction of sluice's database, so a report
// is recorded whole or not at all.
func (s *Service) withReportTx(ctx context.Context, fn func(q *db.Queries) error) error {
	return dbError(pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(s.queries.WithTx(tx)) }))
}
