package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/observability"
	"github.com/sluice-dev/sluice/openlineage"
	"github.com/sluice-dev/sluice/workflows"
)

// OpenLineageResult says what an OpenLineage event became.
type OpenLineageResult struct {
	TaskID          string
	Transformations int
	Datasets        int
	Metrics         int
}

// IngestOpenLineage records an OpenLineage RunEvent in the same model as the
// /log/* reports, so both land in one graph: the job is a task (app = job
// namespace, task = job name), the run a task run (task_id = runId), each
// output a transformation from the inputs (with column lineage when the
// columnLineage facet is sent), schema facets dataset schemas, and
// dataQualityMetrics / outputStatistics metrics. Datasets are known by name,
// as in /log/*. START (and RUNNING or OTHER for an unknown run) starts the run;
// COMPLETE ends it successfully, FAIL and ABORT as failed. Events may arrive
// in any order: a COMPLETE for an unknown run records and ends it.
func (s *Service) IngestOpenLineage(ctx context.Context, teamID uuid.UUID, ev openlineage.RunEvent) (OpenLineageResult, error) {
	start := TaskStart{TaskID: ev.RunID, AppName: ev.Job.Namespace, TaskName: ev.Job.Name,
		TaskType: taskTypeOf(ev.Job), StartedAt: ev.EventTime}
	if err := start.check(); err != nil {
		return OpenLineageResult{}, openLineageField(err)
	}
	datasets, metrics := openLineageDatasets(ev)
	for _, d := range datasets {
		if err := d.check(); err != nil {
			return OpenLineageResult{}, err
		}
	}
	res := OpenLineageResult{TaskID: ev.RunID, Datasets: len(datasets), Metrics: len(metrics)}
	end, ending := openLineageEnd(ev)
	var run db.ObsTaskRun
	err := s.withReportTx(ctx, func(q *db.Queries) error {
		row, _, timeout, err := ensureTaskRun(ctx, q, teamID, start)
		if err != nil {
			return err
		}
		run = row
		if err := recordEventDatasets(ctx, q, teamID, row, ev); err != nil {
			return err
		}
		// Emitters often send inputs with START and outputs with COMPLETE: link
		// this event's datasets with those the run's earlier events brought.
		earlier, err := q.ObsTaskDatasetRoles(ctx, db.ObsTaskDatasetRolesParams{TeamID: teamID, TaskRunID: row.ID})
		if err != nil {
			return fmt.Errorf("read datasets of run %s: %w", ev.RunID, dbError(err))
		}
		tfs := openLineageTransformations(ev, earlier)
		res.Transformations = len(tfs)
		for _, tf := range tfs {
			if err := tf.check(); err != nil {
				return err
			}
			if err := recordTransformation(ctx, q, teamID, row, tf); err != nil {
				return err
			}
		}
		for _, d := range datasets {
			if err := recordDataset(ctx, q, s.alertLinks(), teamID, row, d); err != nil {
				return err
			}
		}
		for chunk := range chunks(metrics, observability.MaxMetricsPerBatch) {
			if err := checkMetrics(chunk); err != nil {
				return err
			}
			if err := insertMetrics(ctx, q, teamID, row.TaskID, chunk, ev.EventTime); err != nil {
				return err
			}
		}
		if ending || row.Status != observability.StatusRunning {
			return nil
		}
		return s.startTaskRunWorkflow(ctx, teamID, row, timeout)
	})
	if err != nil {
		return res, err
	}
	if ending {
		// After the commit: the workflow records the end against the run's rows.
		if err := s.signalTaskRunEnd(ctx, teamID, run, end); err != nil {
			return res, err
		}
	}
	return res, nil
}

// recordEventDatasets records the event's inputs and outputs as datasets
// the run read and wrote, so a later event of the run can link them.
func recordEventDatasets(ctx context.Context, q *db.Queries, teamID uuid.UUID, run db.ObsTaskRun, ev openlineage.RunEvent) error {
	var inputs, outputs []string
	for _, d := range ev.Inputs {
		inputs = append(inputs, d.Name)
	}
	for _, d := range ev.Outputs {
		outputs = append(outputs, d.Name)
	}
	if len(inputs)+len(outputs) == 0 {
		return nil
	}
	ids, err := ensureDatasets(ctx, q, teamID, append(slices.Clone(inputs), outputs...))
	if err != nil {
		return err
	}
	return recordDatasetRoles(ctx, q, teamID, run, inputs, outputs, ids, ev.EventTime)
}

// openLineageField points a field error at the event field it came from.
func openLineageField(err error) error {
	var in *InputError
	if errors.As(err, &in) {
		names := map[string]string{"task_id": "run.runId", "app_name": "job.namespace", "task_name": "job.name", "task_type": "job.facets.jobType.integration"}
		if f, ok := names[in.Field]; ok {
			return &InputError{Field: f, Problem: in.Problem}
		}
	}
	return err
}

func taskTypeOf(job openlineage.Job) string {
	if job.Integration != "" {
		return strings.ToLower(job.Integration)
	}
	return "openlineage"
}

func openLineageEnd(ev openlineage.RunEvent) (workflows.TaskRunEnd, bool) {
	at := ev.EventTime
	switch ev.EventType {
	case openlineage.Complete:
		return workflows.TaskRunEnd{Status: observability.StatusSuccess, EndedAt: &at}, true
	case openlineage.Fail:
		return workflows.TaskRunEnd{Status: observability.StatusFailed, Error: ev.ErrorMessage, EndedAt: &at}, true
	case openlineage.Abort:
		msg := ev.ErrorMessage
		if msg == "" {
			msg = "aborted"
		}
		return workflows.TaskRunEnd{Status: observability.StatusFailed, Error: msg, EndedAt: &at}, true
	}
	return workflows.TaskRunEnd{}, false
}

// openLineageTransformations makes a transformation per output the run has
// written (in this event or an earlier one), from every input it has read,
// with the output's column lineage when this event carries it.
func openLineageTransformations(ev openlineage.RunEvent, earlier []db.ObsTaskDatasetRolesRow) []TransformationReport {
	var inputs []InputDataset
	seenInput := map[string]bool{}
	addInput := func(name string) {
		if !seenInput[name] {
			seenInput[name] = true
			inputs = append(inputs, InputDataset{Name: name})
		}
	}
	for _, in := range ev.Inputs {
		addInput(in.Name)
	}
	lineage := map[string]map[string][]openlineage.InputField{}
	var outputs []string
	for _, out := range ev.Outputs {
		if _, dup := lineage[out.Name]; !dup {
			outputs = append(outputs, out.Name)
		}
		lineage[out.Name] = out.ColumnLineage
	}
	for _, d := range earlier {
		if d.IsInput {
			addInput(d.Name)
		}
		if _, known := lineage[d.Name]; d.IsOutput && !known {
			outputs = append(outputs, d.Name)
			lineage[d.Name] = nil
		}
	}
	var tfs []TransformationReport
	for _, out := range outputs {
		tf := TransformationReport{TaskID: ev.RunID, TfID: openLineageTfID(out), Status: strings.ToLower(ev.EventType),
			QueryStr: ev.Job.SQL, SQLDialect: ev.Job.SQLDialect, Inputs: inputs, Output: out, ReportedAt: ev.EventTime}
		columns := make([]string, 0, len(lineage[out]))
		for column := range lineage[out] {
			columns = append(columns, column)
		}
		slices.Sort(columns)
		for _, column := range columns {
			for _, src := range lineage[out][column] {
				tf.ColumnLineage = append(tf.ColumnLineage, ColumnEdge{InputDataset: src.Name, InputColumn: src.Field, OutputColumn: column})
			}
		}
		if len(tf.Inputs) > 0 || len(tf.ColumnLineage) > 0 {
			tfs = append(tfs, tf)
		}
	}
	return tfs
}

// openLineageDatasets turns an event's schema facets into dataset reports and
// its data quality and statistics facets into metrics.
func openLineageDatasets(ev openlineage.RunEvent) ([]DatasetReport, []Metric) {
	var datasets []DatasetReport
	var metrics []Metric
	for _, d := range append(append([]openlineage.Dataset{}, ev.Inputs...), ev.Outputs...) {
		if len(d.Schema) > 0 || d.Type != "" {
			r := DatasetReport{TaskID: ev.RunID, Name: d.Name, Type: strings.ToLower(d.Type), Namespace: d.Namespace, ReportedAt: ev.EventTime}
			for i, f := range d.Schema {
				r.Fields = append(r.Fields, observability.Field{Name: f.Name, Type: f.Type, Position: i})
			}
			datasets = append(datasets, r)
		}
		for _, m := range d.Metrics {
			metrics = append(metrics, Metric{AssetName: d.Name, AssetType: "dataset", MetricType: m.Type, Value: m.Value})
		}
	}
	return datasets, metrics
}

// openLineageTfID names the transformation writing an output: the output's
// name, or a hash of it when it is longer than a tf_id may be.
func openLineageTfID(output string) string {
	if len(output) <= observability.MaxIDLength {
		return output
	}
	sum := sha256.Sum256([]byte(output))
	return "output-" + hex.EncodeToString(sum[:16])
}

// chunks yields s in pieces of at most n.
func chunks[T any](s []T, n int) func(yield func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}
