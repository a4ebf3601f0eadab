package service

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/observability"
)

// InputDataset is a dataset a transformation reads, with the columns it
// reads when the reporter knows them.
type InputDataset struct {
	Name    string
	Columns []string
}

// ColumnEdge says an output column is computed from an input column.
type ColumnEdge struct {
	InputDataset string
	InputColumn  string
	OutputColumn string
	// Kind is identity, transformation, aggregation or indirect; empty
	// when the reporter did not say.
	Kind string
	// Source is EdgeFromSQL for edges read from the SQL; empty means reported.
	Source string
}

// TransformationReport records a transformation of a task run and its
// lineage: inputs → transformation → output.
type TransformationReport struct {
	TaskID   string
	TfID     string
	Status   string
	QueryStr string
	// SQLDialect names QueryStr's dialect (postgres, mysql, or a database
	// speaking one of them); empty tries both.
	SQLDialect string
	Inputs     []InputDataset
	Output     string
	// ColumnLineage maps output columns to the input columns they come from,
	// when the reporter knows it (OpenLineage columnLineage, sluice syncs).
	ColumnLineage []ColumnEdge
	// ReportedAt is when the transformation was seen; zero means now.
	ReportedAt time.Time
}

func (in TransformationReport) check() error {
	err := checkText(taskIDRule(in.TaskID),
		textRule{field: "tf_id", value: in.TfID, max: observability.MaxIDLength, required: true},
		textRule{field: "status", value: in.Status, max: observability.MaxNameLength},
		textRule{field: "query_str", value: in.QueryStr, max: observability.MaxQueryLength, multiline: true},
		textRule{field: "sql_dialect", value: in.SQLDialect, max: observability.MaxNameLength},
		textRule{field: "output.name", value: in.Output, max: observability.MaxDatasetName, required: true},
	)
	if err != nil {
		return err
	}
	if len(in.Inputs) > observability.MaxInputDatasets {
		return &TooManyError{Field: "input_datasets", Count: len(in.Inputs), Max: observability.MaxInputDatasets}
	}
	columns := len(in.ColumnLineage)
	for _, input := range in.Inputs {
		if input.Name == "" {
			return &InputError{Field: "input_datasets", Problem: "names a dataset with an empty name"}
		}
		field := "input_datasets[" + input.Name + "]"
		if err := checkText(textRule{field: field, value: input.Name, max: observability.MaxDatasetName}); err != nil {
			return err
		}
		if len(input.Columns) > observability.MaxColumnsPerInput {
			return &TooManyError{Field: field + ".columns", Count: len(input.Columns), Max: observability.MaxColumnsPerInput}
		}
		for _, c := range input.Columns {
			if err := checkText(textRule{field: field + ".columns", value: c, max: observability.MaxNameLength, required: true}); err != nil {
				return err
			}
		}
		columns += len(input.Columns)
	}
	if columns > observability.MaxColumnEdges {
		return &TooManyError{Field: "columns", Count: columns, Max: observability.MaxColumnEdges}
	}
	return nil
}

// ReportTransformation records a transformation of a started task run and
// its lineage edges, in one transaction. Datasets are created on first
// mention; lineage across apps meets at dataset names.
func (s *Service) ReportTransformation(ctx context.Context, teamID uuid.UUID, in TransformationReport) error {
	if err := in.check(); err != nil {
		return err
	}
	// The SQL is read while the transaction makes its round trips.
	reading := startSQLReading(in)
	return s.withReportTx(ctx, func(q *db.Queries) error {
		run, err := startedRun(ctx, q, teamID, in.TaskID)
		if err != nil {
			return err
		}
		return recordTransformationRead(ctx, q, teamID, run, in, reading)
	})
}

// startedRun reads the team's run of taskID, or says it has not started.
func startedRun(ctx context.Context, q *db.Queries, teamID uuid.UUID, taskID string) (db.ObsTaskRun, error) {
	run, err := q.ObsTaskRunGet(ctx, db.ObsTaskRunGetParams{TeamID: teamID, TaskID: taskID})
	if errors.Is(err, pgx.ErrNoRows) {
		return db.ObsTaskRun{}, taskNotStarted(taskID)
	}
	if err != nil {
		return db.ObsTaskRun{}, fmt.Errorf("read task run %s: %w", taskID, dbError(err))
	}
	return run, nil
}

func recordTransformation(ctx context.Context, q *db.Queries, teamID uuid.UUID, run db.ObsTaskRun, in TransformationReport) error {
	return recordTransformationRead(ctx, q, teamID, run, in, startSQLReading(in))
}

// recordTransformationRead is recordTransformation with its SQL being read.
func recordTransformationRead(ctx context.Context, q *db.Queries, teamID uuid.UUID, run db.ObsTaskRun, in TransformationReport, reading *sqlReading) error {
	seenAt := in.ReportedAt
	if seenAt.IsZero() {
		seenAt = time.Now()
	}
	fromSQL, err := deriveFromSQL(ctx, q, teamID, in, reading)
	if err != nil {
		return err
	}
	names := []string{in.Output} // then every input
	for _, input := range in.Inputs {
		names = append(names, input.Name)
	}
	names = append(names, fromSQL.inputs...)
	for _, e := range in.ColumnLineage {
		names = append(names, e.InputDataset)
	}
	for _, e := range fromSQL.edges {
		names = append(names, e.InputDataset)
	}
	ids, err := ensureDatasets(ctx, q, teamID, names)
	if err != nil {
		return err
	}
	tfID, err := q.ObsTransformationUpsert(ctx, db.ObsTransformationUpsertParams{
		TeamID: teamID, AppName: run.AppName, TaskName: run.TaskName, TfID: in.TfID,
		OutputDatasetID: ids[in.Output], QueryStr: in.QueryStr, TaskRunID: &run.ID, SeenAt: seenAt,
	})
	if err != nil {
		return fmt.Errorf("record transformation %s: %w", in.TfID, dbError(err))
	}
	inputs := map[string]map[string][]string{}
	for _, input := range in.Inputs {
		inputs[input.Name] = map[string][]string{"columns": nonNil(input.Columns)}
	}
	inputsJSON, err := json.Marshal(inputs)
	if err != nil {
		return fmt.Errorf("encode inputs of transformation %s: %w", in.TfID, err)
	}
	sqlJSON, err := json.Marshal(fromSQL.info)
	if err != nil {
		return fmt.Errorf("encode SQL lineage of transformation %s: %w", in.TfID, err)
	}
	if err := q.ObsTaskTransformationUpsert(ctx, db.ObsTaskTransformationUpsertParams{
		TaskRunID: run.ID, TransformationID: tfID, TeamID: teamID, TfID: in.TfID, Status: in.Status,
		QueryStr: in.QueryStr, Inputs: inputsJSON, OutputName: in.Output, SqlLineage: sqlJSON, ReportedAt: seenAt,
	}); err != nil {
		return fmt.Errorf("record transformation %s of task %s: %w", in.TfID, run.TaskID, dbError(err))
	}
	if err := recordDatasetRoles(ctx, q, teamID, run, names[1:], names[:1], ids, seenAt); err != nil {
		return err
	}
	edges := lineageEdges(in, fromSQL.edges, ids)
	if err := q.ObsLineageEdgesUpsert(ctx, db.ObsLineageEdgesUpsertParams{
		TeamID: teamID, TransformationID: tfID, SeenAt: seenAt,
		InputDatasetIds: edges.inputs, OutputDatasetIds: edges.outputs,
		InputColumns: edges.inputColumns, OutputColumns: edges.outputColumns,
		Kinds: edges.kinds, Sources: edges.sources,
	}); err != nil {
		return fmt.Errorf("record lineage of transformation %s: %w", in.TfID, dbError(err))
	}
	return nil
}

// recordDatasetRoles notes which datasets a run read and wrote, once each.
func recordDatasetRoles(ctx context.Context, q *db.Queries, teamID uuid.UUID, run db.ObsTaskRun, inputs, outputs []string, ids map[string]int64, at time.Time) error {
	type role struct{ input, output bool }
	roles := map[int64]*role{}
	mark := func(name string, output bool) {
		r, ok := roles[ids[name]]
		if !ok {
			r = &role{}
			roles[ids[name]] = r
		}
		r.input = r.input || !output
		r.output = r.output || output
	}
	for _, name := range inputs {
		mark(name, false)
	}
	for _, name := range outputs {
		mark(name, true)
	}
	if len(roles) == 0 {
		return nil
	}
	p := db.ObsTaskDatasetRolesUpsertParams{TaskRunID: run.ID, TeamID: teamID, ReportedAt: at}
	for id, r := range roles {
		p.DatasetIds = append(p.DatasetIds, id)
		p.IsInput = append(p.IsInput, r.input)
		p.IsOutput = append(p.IsOutput, r.output)
	}
	if err := q.ObsTaskDatasetRolesUpsert(ctx, p); err != nil {
		return fmt.Errorf("record datasets of task %s: %w", run.TaskID, dbError(err))
	}
	return nil
}

// edgeColumns holds lineage edges as the parallel arrays the upsert takes.
type edgeColumns struct {
	inputs, outputs             []int64
	inputColumns, outputColumns []string
	kinds, sources              []string
}

// EdgeBoth is the source of an edge both the report and the SQL gave.
const EdgeBoth = "both"

// edgeKey names one lineage edge of a transformation.
type edgeKey struct {
	input         int64
	inCol, outCol string
}

// add records an edge once; said again by another source it becomes
// EdgeBoth, and a kind given replaces an unknown one.
func (e *edgeColumns) add(index map[edgeKey]int, out int64, k edgeKey, kind, source string) {
	if i, ok := index[k]; ok {
		if e.sources[i] != source {
			e.sources[i] = EdgeBoth
		}
		if kind != "" {
			e.kinds[i] = kind
		}
		return
	}
	index[k] = len(e.inputs)
	e.inputs = append(e.inputs, k.input)
	e.outputs = append(e.outputs, out)
	e.inputColumns = append(e.inputColumns, k.inCol)
	e.outputColumns = append(e.outputColumns, k.outCol)
	e.kinds = append(e.kinds, kind)
	e.sources = append(e.sources, source)
}

// lineageEdges lists a transformation's edges, once each: a dataset-level
// edge per input dataset, a column edge per column-lineage pair (reported
// or read from the SQL), and per named input column the SQL did not map to
// output columns an edge whose output column is unknown. A reported input
// column the SQL maps is not repeated as unknown: its SQL edges become "both".
func lineageEdges(in TransformationReport, fromSQL []ColumnEdge, ids map[string]int64) edgeColumns {
	out := ids[in.Output]
	index := map[edgeKey]int{}
	mapped := map[edgeKey][]int{} // (input, lower-case column) -> its SQL edges
	var e edgeColumns
	for _, c := range fromSQL {
		e.add(index, out, edgeKey{input: ids[c.InputDataset]}, "", EdgeFromSQL)
		k := edgeKey{input: ids[c.InputDataset], inCol: c.InputColumn, outCol: c.OutputColumn}
		e.add(index, out, k, c.Kind, EdgeFromSQL)
		col := edgeKey{input: k.input, inCol: strings.ToLower(c.InputColumn)}
		mapped[col] = append(mapped[col], index[k])
	}
	for _, input := range in.Inputs {
		e.add(index, out, edgeKey{input: ids[input.Name]}, "", EdgeReported)
		for _, c := range input.Columns {
			sqlEdges := mapped[edgeKey{input: ids[input.Name], inCol: strings.ToLower(c)}]
			for _, i := range sqlEdges {
				e.sources[i] = EdgeBoth
			}
			if len(sqlEdges) == 0 {
				e.add(index, out, edgeKey{input: ids[input.Name], inCol: c}, "", EdgeReported)
			}
		}
	}
	for _, c := range in.ColumnLineage {
		source := cmp.Or(c.Source, EdgeReported)
		e.add(index, out, edgeKey{input: ids[c.InputDataset]}, "", source)
		e.add(index, out, edgeKey{input: ids[c.InputDataset], inCol: c.InputColumn, outCol: c.OutputColumn}, c.Kind, source)
	}
	return e
}

// ensureDatasets creates the named datasets that are missing and returns
// every name's id. Names are sorted first so concurrent reports take row
// locks in one order.
func ensureDatasets(ctx context.Context, q *db.Queries, teamID uuid.UUID, names []string) (map[string]int64, error) {
	names = slices.Clone(names)
	slices.Sort(names)
	names = slices.Compact(names)
	if err := q.ObsDatasetsEnsure(ctx, db.ObsDatasetsEnsureParams{TeamID: teamID, Names: names}); err != nil {
		return nil, fmt.Errorf("record datasets: %w", dbError(err))
	}
	rows, err := q.ObsDatasetsByName(ctx, db.ObsDatasetsByNameParams{TeamID: teamID, Names: names})
	if err != nil {
		return nil, fmt.Errorf("read datasets: %w", dbError(err))
	}
	ids := make(map[string]int64, len(rows))
	for _, r := range rows {
		ids[r.Name] = r.ID
	}
	return ids, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ReportMetrics appends metric values to a started task run's series, in one
// statement. Up to observability.MaxMetricsPerBatch values per call.
func (s *Service) ReportMetrics(ctx context.Context, teamID uuid.UUID, taskID string, metrics []Metric) error {
	if err := checkText(taskIDRule(taskID)); err != nil {
		return err
	}
	if err := checkMetrics(metrics); err != nil {
		return err
	}
	return insertMetrics(ctx, s.queries, teamID, taskID, metrics, time.Now())
}

func insertMetrics(ctx context.Context, q *db.Queries, teamID uuid.UUID, taskID string, metrics []Metric, at time.Time) error {
	p := db.ObsMetricValuesInsertParams{
		TeamID: teamID, TaskID: taskID, RecordedAt: at,
		AssetNames: make([]string, len(metrics)), AssetTypes: make([]string, len(metrics)),
		MetricTypes: make([]string, len(metrics)), MetricValues: make([]float64, len(metrics)),
	}
	for i, m := range metrics {
		p.AssetNames[i], p.AssetTypes[i], p.MetricTypes[i], p.MetricValues[i] = m.AssetName, m.AssetType, m.MetricType, m.Value
	}
	n, err := q.ObsMetricValuesInsert(ctx, p)
	if err != nil {
		return fmt.Errorf("record %d metrics of task %s: %w", len(metrics), taskID, dbError(err))
	}
	if n == 0 {
		return taskNotStarted(taskID)
	}
	return nil
}
