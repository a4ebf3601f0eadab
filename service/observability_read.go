package service

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/observability"
)

// Page sizes of the observability read API.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// Pipeline is an app with its latest run.
type Pipeline struct {
	AppName     string
	Envs        []string
	TaskCount   int
	RunCount    int
	TaskTimeout *time.Duration
	LastRun     *RunSummary
}

// RunSummary is the gist of a run, for lists.
type RunSummary struct {
	TaskID     string     `json:"task_id"`
	TaskName   string     `json:"task_name,omitempty"`
	Status     string     `json:"status"`
	Env        string     `json:"env"`
	StartedAt  time.Time  `json:"started_at"`
	EndedAt    *time.Time `json:"ended_at"`
	DurationMS *int64     `json:"duration_ms,omitempty"`
}

// PageRequest asks for one page of a list: up to Limit items after Cursor.
type PageRequest struct {
	Limit  int
	Cursor string
}

func (p PageRequest) limit() (int32, error) {
	switch {
	case p.Limit == 0:
		return DefaultPageSize, nil
	case p.Limit < 1 || p.Limit > MaxPageSize:
		return 0, &InputError{Field: "limit", Problem: fmt.Sprintf("must be between 1 and %d", MaxPageSize)}
	}
	return int32(p.Limit), nil
}

// ListPipelines lists the team's apps by name, a page at a time; the cursor
// is the last app name of the previous page.
func (s *Service) ListPipelines(ctx context.Context, teamID uuid.UUID, page PageRequest) ([]Pipeline, string, error) {
	limit, err := page.limit()
	if err != nil {
		return nil, "", err
	}
	rows, err := s.queries.ObsPipelineList(ctx, db.ObsPipelineListParams{TeamID: teamID, After: page.Cursor, RowLimit: limit})
	if err != nil {
		return nil, "", fmt.Errorf("list pipelines: %w", dbError(err))
	}
	out := make([]Pipeline, 0, len(rows))
	for _, r := range rows {
		p := Pipeline{AppName: r.Name, Envs: r.Envs, TaskCount: int(r.TaskCount), RunCount: int(r.RunCount),
			TaskTimeout: appSettingsFromRow(db.ObsApp{Name: r.Name, TaskTimeoutSeconds: r.TaskTimeoutSeconds}).TaskTimeout}
		if r.LastRun != nil {
			var last RunSummary
			if err := json.Unmarshal(r.LastRun, &last); err != nil {
				return nil, "", fmt.Errorf("decode last run of app %s: %w", r.Name, err)
			}
			p.LastRun = &last
		}
		out = append(out, p)
	}
	next := ""
	if len(out) == int(limit) {
		next = out[len(out)-1].AppName
	}
	return out, next, nil
}

// AppTask is one task of an app with its latest run.
type AppTask struct {
	TaskName string
	TaskType string
	RunCount int
	LastRun  RunSummary
}

// ListAppTasks lists the tasks of one app (at most MaxPageSize), or
// ErrNotFound if the team has no such app.
func (s *Service) ListAppTasks(ctx context.Context, teamID uuid.UUID, appName string) ([]AppTask, error) {
	if !storable(appName) {
		return nil, ErrNotFound
	}
	if _, err := s.queries.ObsAppGet(ctx, db.ObsAppGetParams{TeamID: teamID, Name: appName}); err != nil {
		return nil, fmt.Errorf("get app %s: %w", appName, dbError(err))
	}
	rows, err := s.queries.ObsAppTaskList(ctx, db.ObsAppTaskListParams{TeamID: teamID, AppName: appName, RowLimit: MaxPageSize})
	if err != nil {
		return nil, fmt.Errorf("list tasks of app %s: %w", appName, dbError(err))
	}
	out := make([]AppTask, 0, len(rows))
	for _, r := range rows {
		out = append(out, AppTask{TaskName: r.TaskName, TaskType: r.TaskType, RunCount: int(r.RunCount), LastRun: RunSummary{
			TaskID: r.LastTaskID, Status: r.LastStatus, Env: r.LastEnv, StartedAt: r.LastStartedAt,
			EndedAt: r.LastEndedAt, DurationMS: r.LastDurationMs,
		}})
	}
	return out, nil
}

// TaskRunFilter selects task runs; empty fields do not filter.
type TaskRunFilter struct {
	AppName string
	Status  string
	Env     string
	Since   *time.Time
	Until   *time.Time
	Page    PageRequest
}

// Bounds used when a time filter is absent; Postgres timestamps span them.
var (
	beginningOfTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	endOfTime       = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// ListTaskRuns lists task runs newest first, filtered, one page at a time.
// The returned cursor fetches the next page; it is empty on the last one.
func (s *Service) ListTaskRuns(ctx context.Context, teamID uuid.UUID, f TaskRunFilter) ([]TaskRun, string, error) {
	limit, err := f.Page.limit()
	if err != nil {
		return nil, "", err
	}
	after, afterID, err := decodeRunCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	if err := checkText(
		textRule{field: "app_name", value: f.AppName, max: observability.MaxNameLength},
		textRule{field: "env", value: f.Env, max: observability.MaxNameLength},
	); err != nil {
		return nil, "", err
	}
	switch f.Status {
	case "", "running", "success", "failed", "timed_out":
	default:
		return nil, "", &InputError{Field: "status", Problem: fmt.Sprintf("%q is not running, success, failed or timed_out", f.Status)}
	}
	rows, err := s.queries.ObsTaskRunList(ctx, db.ObsTaskRunListParams{
		TeamID: teamID, AppName: f.AppName, Status: f.Status, Env: f.Env,
		Since: orTime(f.Since, beginningOfTime), Until: orTime(f.Until, endOfTime),
		CursorStartedAt: after, CursorID: afterID, RowLimit: limit + 1,
	})
	if err != nil {
		return nil, "", fmt.Errorf("list task runs: %w", dbError(err))
	}
	// One row more than the page says whether another page follows, so the
	// last page's cursor is empty even when that page is full.
	next := ""
	if len(rows) > int(limit) {
		rows = rows[:limit]
		last := rows[len(rows)-1]
		next = encodeRunCursor(last.StartedAt, last.ID)
	}
	out := make([]TaskRun, 0, len(rows))
	for _, r := range rows {
		out = append(out, taskRunFromRow(r))
	}
	return out, next, nil
}

func orTime(t *time.Time, def time.Time) time.Time {
	if t == nil {
		return def
	}
	return *t
}

// encodeRunCursor makes an opaque cursor of the last run of a page.
func encodeRunCursor(startedAt time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(startedAt.UnixMicro(), 10) + ":" + strconv.FormatInt(id, 10)))
}

func decodeRunCursor(cursor string) (time.Time, int64, error) {
	if cursor == "" {
		return endOfTime, math.MaxInt64, nil
	}
	bad := &InputError{Field: "cursor", Problem: "is not a cursor this API returned"}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return time.Time{}, 0, bad
	}
	micros, id, ok := strings.Cut(string(raw), ":")
	if !ok {
		return time.Time{}, 0, bad
	}
	us, err1 := strconv.ParseInt(micros, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil {
		return time.Time{}, 0, bad
	}
	return time.UnixMicro(us).UTC(), n, nil
}

// TaskTransformation is a transformation as one run reported it.
type TaskTransformation struct {
	TfID     string                         `json:"tf_id"`
	Status   string                         `json:"status"`
	QueryStr string                         `json:"query_str,omitempty"`
	Inputs   map[string]map[string][]string `json:"input_datasets"`
	Output   string                         `json:"output"`
	// SQLLineage is what sluice read from QueryStr, when there was one.
	SQLLineage *SQLLineage `json:"sql_lineage,omitempty"`
	ReportedAt time.Time   `json:"reported_at"`
}

// TaskDataset is a dataset a run reported: whether it read or wrote it, and
// the schema version it saw.
type TaskDataset struct {
	Name          string          `json:"name"`
	Type          string          `json:"ds_type"`
	TfID          string          `json:"tf_id,omitempty"`
	SchemaVersion *int32          `json:"schema_version"`
	Input         bool            `json:"input"`
	Output        bool            `json:"output"`
	Fields        json.RawMessage `json:"fields"`
	ReportedAt    time.Time       `json:"reported_at"`
}

// MetricValue is one reported value.
type MetricValue struct {
	AssetName  string    `json:"asset_name"`
	AssetType  string    `json:"asset_type"`
	MetricType string    `json:"metric_type"`
	Value      float64   `json:"value"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Anomaly is a metric value outside its series' robust band.
type Anomaly struct {
	AssetName    string    `json:"asset_name"`
	MetricType   string    `json:"metric_type"`
	Value        float64   `json:"value"`
	Median       float64   `json:"median"`
	MAD          float64   `json:"mad"`
	Lower        float64   `json:"lower_bound"`
	Upper        float64   `json:"upper_bound"`
	HistoryCount int32     `json:"history_count"`
	DetectedAt   time.Time `json:"detected_at"`
}

// TaskRunDetail is a run with everything it reported.
type TaskRunDetail struct {
	TaskRun
	Transformations []TaskTransformation
	Datasets        []TaskDataset
	Metrics         []MetricValue
	Anomalies       []Anomaly
}

// maxMetricsShown bounds the metric values a task's detail lists.
const maxMetricsShown = 10000

// GetTaskRun returns one run with its transformations, datasets, metrics and anomalies.
func (s *Service) GetTaskRun(ctx context.Context, teamID uuid.UUID, taskID string) (TaskRunDetail, error) {
	if !storable(taskID) {
		return TaskRunDetail{}, &MissingError{What: fmt.Sprintf("task %q not found", taskID)}
	}
	row, err := s.queries.ObsTaskRunGet(ctx, db.ObsTaskRunGetParams{TeamID: teamID, TaskID: taskID})
	if errors.Is(err, pgx.ErrNoRows) {
		return TaskRunDetail{}, &MissingError{What: fmt.Sprintf("task %q not found", taskID)}
	}
	if err != nil {
		return TaskRunDetail{}, fmt.Errorf("get task run %s: %w", taskID, dbError(err))
	}
	d := TaskRunDetail{TaskRun: taskRunFromRow(row)}
	scope := func(what string, err error) error {
		return fmt.Errorf("read %s of task %s: %w", what, taskID, dbError(err))
	}
	tfs, err := s.queries.ObsTaskTransformationList(ctx, db.ObsTaskTransformationListParams{TeamID: teamID, TaskRunID: row.ID})
	if err != nil {
		return d, scope("transformations", err)
	}
	d.Transformations = make([]TaskTransformation, 0, len(tfs))
	for _, t := range tfs {
		tt := TaskTransformation{TfID: t.TfID, Status: t.Status, QueryStr: t.QueryStr, Output: t.OutputName, ReportedAt: t.ReportedAt}
		if err := json.Unmarshal(t.Inputs, &tt.Inputs); err != nil {
			return d, fmt.Errorf("decode inputs of transformation %s: %w", t.TfID, err)
		}
		var fromSQL SQLLineage
		if err := json.Unmarshal(t.SqlLineage, &fromSQL); err != nil {
			return d, fmt.Errorf("decode SQL lineage of transformation %s: %w", t.TfID, err)
		}
		if fromSQL.Status != "" {
			tt.SQLLineage = &fromSQL
		}
		d.Transformations = append(d.Transformations, tt)
	}
	datasets, err := s.queries.ObsTaskDatasetList(ctx, db.ObsTaskDatasetListParams{TeamID: teamID, TaskRunID: row.ID})
	if err != nil {
		return d, scope("datasets", err)
	}
	d.Datasets = make([]TaskDataset, 0, len(datasets))
	for _, ds := range datasets {
		d.Datasets = append(d.Datasets, TaskDataset{Name: ds.Name, Type: ds.DsType, TfID: ds.TfID,
			SchemaVersion: ds.SchemaVersion, Input: ds.IsInput, Output: ds.IsOutput, Fields: ds.Fields, ReportedAt: ds.ReportedAt})
	}
	metrics, err := s.queries.ObsTaskMetricList(ctx, db.ObsTaskMetricListParams{TeamID: teamID, TaskRunID: row.ID, RowLimit: maxMetricsShown})
	if err != nil {
		return d, scope("metrics", err)
	}
	d.Metrics = make([]MetricValue, 0, len(metrics))
	for _, m := range metrics {
		d.Metrics = append(d.Metrics, MetricValue{AssetName: m.AssetName, AssetType: m.AssetType, MetricType: m.MetricType, Value: m.Value, RecordedAt: m.RecordedAt})
	}
	anomalies, err := s.queries.ObsTaskAnomalyList(ctx, db.ObsTaskAnomalyListParams{TeamID: teamID, TaskRunID: row.ID})
	if err != nil {
		return d, scope("anomalies", err)
	}
	d.Anomalies = make([]Anomaly, 0, len(anomalies))
	for _, a := range anomalies {
		d.Anomalies = append(d.Anomalies, Anomaly{AssetName: a.AssetName, MetricType: a.MetricType, Value: a.Value,
			Median: a.Median, MAD: a.Mad, Lower: a.LowerBound, Upper: a.UpperBound, HistoryCount: a.HistoryCount, DetectedAt: a.DetectedAt})
	}
	return d, nil
}
