package service

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/observability"
)

// Syncs report themselves through this API: each sync run is a task run of
// the app SyncApp (task = the integration's name), each table a
// transformation from <integration id>.<schema>.<table> to
// lake.<dest_schema>.<table> with column lineage, both datasets' schemas and
// a row-count metric. Data moved by sluice and data transformed by the
// team's pipelines then meet in one lineage graph.

// SyncApp is the app name sync runs report under.
const SyncApp = "sluice-sync"

// SyncRowCountMetric is the metric a synced table reports: the rows the run copied.
const SyncRowCountMetric = "row_count"

// SyncRunReport identifies one sync run reporting itself.
type SyncRunReport struct {
	// RunID is unique per team for the run (e.g. the sync workflow's run id).
	RunID           string
	IntegrationName string
	// IntegrationID keys the source datasets: two integrations may share a
	// display name, and their tables must not merge in lineage.
	IntegrationID string
	// StartedAt is when the run started; zero means now.
	StartedAt time.Time
}

// SyncTableReport is one table a sync run copied.
type SyncTableReport struct {
	SourceSchema string
	Table        string
	DestSchema   string
	// Columns are the table's columns as copied (the same in source and lake).
	Columns  []observability.Field
	RowCount int64
}

// SyncTaskID is the task_id of a sync run, so /api/tasks/{task_id} finds it.
func SyncTaskID(runID string) string { return "sync-" + runID }

// SyncSourceDataset and SyncLakeDataset name the two ends of a synced table.
// A source table is named by its integration's id, not its display name,
// which two integrations may share and a rename changes; the lake table's
// name is unique because every lake table has one owner.
func SyncSourceDataset(integrationID, schema, table string) string {
	return integrationID + "." + schema + "." + table
}

// SyncLakeDataset names a synced table in the lake.
func SyncLakeDataset(destSchema, table string) string { return "lake." + destSchema + "." + table }

// ReportSyncStarted records a sync run as a running task run and starts its
// TaskRunWorkflow; a sync calls it when the run starts, so a running sync
// shows as a running task. Repeating it is harmless, also after the end.
func (s *Service) ReportSyncStarted(ctx context.Context, teamID uuid.UUID, run SyncRunReport) (TaskRun, error) {
	started, _, err := s.StartTask(ctx, teamID, TaskStart{TaskID: SyncTaskID(run.RunID), AppName: SyncApp,
		TaskName: run.IntegrationName, TaskType: "sync", StartedAt: run.StartedAt})
	return started, err
}

// ReportSyncTable records one copied table of a started sync run, in one
// transaction: the transformation and its column lineage, the schema of the
// source and the lake table, and the row count.
func (s *Service) ReportSyncTable(ctx context.Context, teamID uuid.UUID, run SyncRunReport, table SyncTableReport) error {
	source := SyncSourceDataset(run.IntegrationID, table.SourceSchema, table.Table)
	dest := SyncLakeDataset(table.DestSchema, table.Table)
	tf := TransformationReport{TaskID: SyncTaskID(run.RunID), TfID: table.SourceSchema + "." + table.Table, Status: "copied",
		Inputs: []InputDataset{{Name: source}}, Output: dest}
	for _, c := range table.Columns {
		tf.ColumnLineage = append(tf.ColumnLineage, ColumnEdge{InputDataset: source, InputColumn: c.Name, OutputColumn: c.Name})
	}
	datasets := []DatasetReport{
		{TaskID: tf.TaskID, TfID: tf.TfID, Name: source, Type: "table", Fields: table.Columns},
		{TaskID: tf.TaskID, TfID: tf.TfID, Name: dest, Type: "table", Fields: table.Columns},
	}
	rows := []Metric{{AssetName: dest, AssetType: "table", MetricType: SyncRowCountMetric, Value: float64(table.RowCount)}}
	if err := tf.check(); err != nil {
		return err
	}
	for _, d := range datasets {
		if err := d.check(); err != nil {
			return err
		}
	}
	return s.withReportTx(ctx, func(q *db.Queries) error {
		started, err := startedRun(ctx, q, teamID, tf.TaskID)
		if err != nil {
			return err
		}
		if err := recordTransformation(ctx, q, teamID, started, tf); err != nil {
			return err
		}
		for _, d := range datasets {
			if err := recordDataset(ctx, q, s.alertLinks(), teamID, started, d); err != nil {
				return err
			}
		}
		reported, err := rowCountReported(ctx, q, teamID, started, dest)
		if err != nil || reported {
			return err
		}
		return insertMetrics(ctx, q, teamID, tf.TaskID, rows, time.Now())
	})
}

// maxSyncMetrics bounds how many of a sync run's metric values
// rowCountReported reads: more than one per table of any sync.
const maxSyncMetrics = 100_000

// rowCountReported says whether the run already has dest's row count, so a
// retried report of a table does not record it twice. Everything else a
// table report writes is an upsert. It locks dest's dataset row first, so
// two reports of one table running at once check one after the other.
func rowCountReported(ctx context.Context, q *db.Queries, teamID uuid.UUID, run db.ObsTaskRun, dest string) (bool, error) {
	ids, err := ensureDatasets(ctx, q, teamID, []string{dest})
	if err != nil {
		return false, err
	}
	if _, err := q.ObsDatasetLock(ctx, db.ObsDatasetLockParams{TeamID: teamID, ID: ids[dest]}); err != nil {
		return false, fmt.Errorf("lock dataset %s: %w", dest, dbError(err))
	}
	metrics, err := q.ObsTaskMetricList(ctx, db.ObsTaskMetricListParams{TeamID: teamID, TaskRunID: run.ID, RowLimit: maxSyncMetrics})
	if err != nil {
		return false, fmt.Errorf("read metrics of task %s: %w", run.TaskID, dbError(err))
	}
	for _, m := range metrics {
		if m.AssetName == dest && m.MetricType == SyncRowCountMetric {
			return true, nil
		}
	}
	return false, nil
}

// ReportSyncEnded ends a sync run: success when failure is empty, failed with
// that message otherwise. Its workflow then checks each table's row count
// against the table's earlier syncs.
func (s *Service) ReportSyncEnded(ctx context.Context, teamID uuid.UUID, run SyncRunReport, failure string) error {
	end := TaskEnd{TaskID: SyncTaskID(run.RunID), Result: "success"}
	if failure != "" {
		end.Result, end.Error = "failed", truncate(failure, observability.MaxErrorLength)
	}
	_, err := s.EndTask(ctx, teamID, end)
	return err
}

// ReportSyncFinished reports a finished sync run: its start, unless that
// was reported when the run started, every copied table, then its end.
// Every step is idempotent, so a retried report records nothing twice.
func (s *Service) ReportSyncFinished(ctx context.Context, teamID uuid.UUID, run SyncRunReport, tables []SyncTableReport, failure string) error {
	if _, err := s.ReportSyncStarted(ctx, teamID, run); err != nil {
		return err
	}
	for _, t := range tables {
		if err := s.ReportSyncTable(ctx, teamID, run, t); err != nil {
			return err
		}
	}
	return s.ReportSyncEnded(ctx, teamID, run, failure)
}

// truncate shortens s to at most n runes.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
