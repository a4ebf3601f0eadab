package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/alerts"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/observability"
)

// TaskRuns holds the activities of a reported task run's lifecycle: recording
// its end or its timeout, and checking its metrics against their history.
type TaskRuns struct {
	Pool *pgxpool.Pool
	// Links build the links of the alerts a run's end emits.
	Links alerts.LinkBase
}

// FinishTaskRunInput records how a run ended.
type FinishTaskRunInput struct {
	TeamID     uuid.UUID `json:"team_id"`
	TaskRunID  int64     `json:"task_run_id"`
	Status     string    `json:"status"` // success or failed
	Error      string    `json:"error,omitempty"`
	EndedAt    time.Time `json:"ended_at"`
	DurationMS int64     `json:"duration_ms"`
}

// FinishTaskRunOutput says whether this call recorded the end; false means the
// run had already ended, timed out or does not exist.
type FinishTaskRunOutput struct {
	Recorded bool `json:"recorded"`
}

// Finish records a run's end. It is idempotent: only a running run
// changes, and a failed run's alert event is emitted with the change.
func (a *TaskRuns) Finish(ctx context.Context, in FinishTaskRunInput) (FinishTaskRunOutput, error) {
	recorded, err := a.end(ctx, in.TaskRunID, func(q *db.Queries) (db.ObsTaskRun, error) {
		return q.ObsTaskRunFinish(ctx, db.ObsTaskRunFinishParams{
			TeamID: in.TeamID, ID: in.TaskRunID, Status: in.Status, Error: in.Error,
			EndedAt: &in.EndedAt, DurationMs: &in.DurationMS,
		})
	})
	if err != nil {
		return FinishTaskRunOutput{}, fmt.Errorf("finish task run %d: %w", in.TaskRunID, err)
	}
	return FinishTaskRunOutput{Recorded: recorded}, nil
}

// TimeOutTaskRunInput marks a run that never reported its end.
type TimeOutTaskRunInput struct {
	TeamID     uuid.UUID `json:"team_id"`
	TaskRunID  int64     `json:"task_run_id"`
	At         time.Time `json:"at"`
	DurationMS int64     `json:"duration_ms"`
}

// TimeOutTaskRunOutput says whether this call marked the run.
type TimeOutTaskRunOutput struct {
	Recorded bool `json:"recorded"`
}

// TimeOut marks a still-running run as timed_out, with its alert event. It
// is idempotent.
func (a *TaskRuns) TimeOut(ctx context.Context, in TimeOutTaskRunInput) (TimeOutTaskRunOutput, error) {
	recorded, err := a.end(ctx, in.TaskRunID, func(q *db.Queries) (db.ObsTaskRun, error) {
		return q.ObsTaskRunTimeOut(ctx, db.ObsTaskRunTimeOutParams{
			TeamID: in.TeamID, ID: in.TaskRunID, EndedAt: &in.At, DurationMs: &in.DurationMS,
		})
	})
	if err != nil {
		return TimeOutTaskRunOutput{}, fmt.Errorf("time out task run %d: %w", in.TaskRunID, err)
	}
	return TimeOutTaskRunOutput{Recorded: recorded}, nil
}

// end records a run's end with update and emits its alert event in the
// same transaction, so a retry after a crash neither misses the event nor
// sends it twice. It reports false when the run had already ended.
func (a *TaskRuns) end(ctx context.Context, id int64, update func(*db.Queries) (db.ObsTaskRun, error)) (bool, error) {
	recorded := false
	err := pgx.BeginFunc(ctx, a.Pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		run, err := update(q)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		recorded = true
		return emitTaskRunEnd(ctx, q, a.Links, run)
	})
	return recorded, err
}

// CheckAnomaliesInput names the run whose metrics to check and how.
type CheckAnomaliesInput struct {
	TeamID    uuid.UUID `json:"team_id"`
	TaskRunID int64     `json:"task_run_id"`
	// History is how many earlier values of each series form its band.
	History int `json:"history"`
	// K is the band's half-width in robust standard deviations.
	K float64 `json:"k"`
}

// CheckAnomaliesOutput counts what the check looked at and what it flagged.
type CheckAnomaliesOutput struct {
	Series    int `json:"series"`
	Judged    int `json:"judged"`
	Anomalies int `json:"anomalies"`
}

// maxSeriesChecked bounds the work of one check; a run reporting more series
// than this has only the first ones (by name) checked.
const maxSeriesChecked = 10000

// CheckAnomalies compares the latest value of every series the run reported
// with that series' earlier values and records the ones outside the robust
// band. Recording is idempotent per metric value, so a retry is harmless.
func (a *TaskRuns) CheckAnomalies(ctx context.Context, in CheckAnomaliesInput) (CheckAnomaliesOutput, error) {
	var out CheckAnomaliesOutput
	err := pgx.BeginFunc(ctx, a.Pool, func(tx pgx.Tx) error {
		q := db.New(tx)
		series, err := q.ObsMetricHistoryForRun(ctx, db.ObsMetricHistoryForRunParams{
			TeamID: in.TeamID, TaskRunID: in.TaskRunID,
			SeriesLimit: maxSeriesChecked, HistoryLimit: int32(in.History),
		})
		if err != nil {
			return fmt.Errorf("read metric history: %w", err)
		}
		out.Series = len(series)
		var run *db.ObsTaskRun // read with the first anomaly, for the alerts
		for _, s := range series {
			band, ok := observability.NewBand(s.History, in.K)
			if !ok {
				continue
			}
			out.Judged++
			if band.Contains(s.Value) {
				continue
			}
			out.Anomalies++
			if err := q.ObsAnomalyRecord(ctx, db.ObsAnomalyRecordParams{
				TeamID: in.TeamID, TaskRunID: in.TaskRunID, MetricValueID: s.ID,
				AssetName: s.AssetName, MetricType: s.MetricType, Value: s.Value,
				Median: band.Median, Mad: band.MAD, LowerBound: band.Lower, UpperBound: band.Upper,
				HistoryCount: int32(len(s.History)),
			}); err != nil {
				return fmt.Errorf("record anomaly of %s/%s: %w", s.AssetName, s.MetricType, err)
			}
			if run == nil {
				r, err := q.ObsTaskRunGetByID(ctx, db.ObsTaskRunGetByIDParams{TeamID: in.TeamID, ID: in.TaskRunID})
				if err != nil {
					return fmt.Errorf("read task run %d: %w", in.TaskRunID, err)
				}
				run = &r
			}
			if err := a.emitAnomaly(ctx, q, *run, s, band); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return CheckAnomaliesOutput{}, fmt.Errorf("check anomalies of task run %d: %w", in.TaskRunID, err)
	}
	return out, nil
}

// emitAnomaly emits a metric value's anomaly, once per value.
func (a *TaskRuns) emitAnomaly(ctx context.Context, q *db.Queries, run db.ObsTaskRun, s db.ObsMetricHistoryForRunRow, band observability.Band) error {
	_, err := alerts.Emit(ctx, q, alerts.Event{
		TeamID: run.TeamID, Kind: alerts.MetricAnomaly, DedupKey: fmt.Sprintf("%s:%d", alerts.MetricAnomaly, s.ID),
		Summary: fmt.Sprintf("Metric %s of %s is %g, outside its usual range [%g, %g] (median %g)",
			s.MetricType, s.AssetName, s.Value, band.Lower, band.Upper, band.Median),
		Subject: map[string]any{
			"asset_name": s.AssetName, "metric_type": s.MetricType, "value": s.Value, "lower_bound": band.Lower,
			"upper_bound": band.Upper, "median": band.Median, "task_run_id": run.ID, "task_id": run.TaskID, "app_name": run.AppName,
		},
		Links: a.Links.Metric(s.AssetName, s.MetricType),
		App:   run.AppName, TaskID: run.TaskID, Asset: s.AssetName, Metric: s.MetricType,
	})
	return err
}
