// Package openlineage reads OpenLineage RunEvents (spec 2-0-2,
// https://openlineage.io/spec/2-0-2/OpenLineage.json) as emitters such as
// Airflow, Spark, dbt and Flink send them, checks them against the schema's
// required fields and formats, and extracts the facets sluice records:
// schema, columnLineage, dataQualityMetrics, outputStatistics, sql,
// jobType and errorMessage. Every check names the field it rejects.
package openlineage

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"time"
)

// Event types of a RunEvent.
const (
	Start    = "START"
	Running  = "RUNNING"
	Complete = "COMPLETE"
	Abort    = "ABORT"
	Fail     = "FAIL"
	Other    = "OTHER"
)

// Limits on one event, so a request stays bounded.
const (
	maxURILength     = 2048
	maxNameLength    = 1000
	maxDatasets      = 1000 // inputs plus outputs
	maxSchemaFields  = 2000 // per dataset, nested fields included
	maxFieldDepth    = 10   // nesting of schema fields
	maxColumnSources = 20000
	maxMessageLength = 65536
)

// RunEvent is a validated RunEvent, reduced to what sluice records.
type RunEvent struct {
	EventType string // one of the constants above; OTHER when absent
	EventTime time.Time
	RunID     string
	Job       Job
	Inputs    []Dataset
	Outputs   []Dataset
	Producer  string
	// ErrorMessage is the run's errorMessage facet, if any.
	ErrorMessage string
}

// Job identifies the job a run belongs to.
type Job struct {
	Namespace string
	Name      string
	// Integration is the jobType facet's integration (SPARK, AIRFLOW, DBT, FLINK…), if any.
	Integration string
	// SQL is the sql facet's query, if any.
	SQL string
	// SQLDialect is the sql facet's dialect, if given.
	SQLDialect string
}

// Dataset is an input or output with the facets sluice understands.
type Dataset struct {
	Namespace string
	Name      string
	// Type is the datasetType facet's type (TABLE, VIEW…), if any.
	Type string
	// Schema holds the schema facet's fields, nested ones as parent.child.
	Schema []SchemaField
	// ColumnLineage maps each output column to the input columns it is computed from.
	ColumnLineage map[string][]InputField
	// Metrics are the dataQualityMetrics and outputStatistics values.
	Metrics []Metric
}

// SchemaField is one field of a schema facet.
type SchemaField struct {
	Name string
	Type string
}

// InputField is an input column of a column lineage entry.
type InputField struct {
	Namespace string
	Name      string
	Field     string
}

// Metric is one value of a data quality or statistics facet.
type Metric struct {
	Type  string // row_count, bytes, file_count, or <column>.<metric>
	Value float64
}

// Parse decodes and validates one RunEvent. A *FieldError names the field
// that breaks the schema; other errors are malformed JSON.
func Parse(body []byte) (RunEvent, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return RunEvent{}, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return RunEvent{}, errors.New("the body must hold a single JSON value")
	}
	root := node{value: raw}
	if _, err := root.object(); err != nil {
		return RunEvent{}, fieldErr("(body)", "must be a RunEvent object, got %s", kindOf(raw))
	}
	return parseRunEvent(root)
}

func parseRunEvent(root node) (RunEvent, error) {
	var ev RunEvent
	var err error
	if ev.EventTime, err = root.dateTime("eventTime"); err != nil {
		return ev, err
	}
	if ev.Producer, err = root.uri("producer", true); err != nil {
		return ev, err
	}
	if _, err = root.uri("schemaURL", true); err != nil {
		return ev, err
	}
	if ev.EventType, err = eventType(root); err != nil {
		return ev, err
	}
	run := root.get("run")
	if !run.present() {
		return ev, fieldErr("run", "is required (sluice accepts RunEvents; DatasetEvents and JobEvents have no run)")
	}
	if _, err := run.object(); err != nil {
		return ev, err
	}
	if ev.RunID, err = run.uuid("runId"); err != nil {
		return ev, err
	}
	if ev.ErrorMessage, err = runFacets(run.get("facets")); err != nil {
		return ev, err
	}
	if ev.Job, err = parseJob(root.get("job")); err != nil {
		return ev, err
	}
	if ev.Inputs, err = parseDatasets(root.get("inputs"), "inputFacets"); err != nil {
		return ev, err
	}
	if ev.Outputs, err = parseDatasets(root.get("outputs"), "outputFacets"); err != nil {
		return ev, err
	}
	if n := len(ev.Inputs) + len(ev.Outputs); n > maxDatasets {
		return ev, fieldErr("inputs", "and outputs hold %d datasets; at most %d are accepted per event", n, maxDatasets)
	}
	return ev, nil
}

func eventType(root node) (string, error) {
	c := root.get("eventType")
	if !c.present() {
		return Other, nil
	}
	s, err := c.str(16)
	if err != nil {
		return "", err
	}
	switch s {
	case Start, Running, Complete, Abort, Fail, Other:
		return s, nil
	}
	return "", fieldErr("eventType", "must be one of START, RUNNING, COMPLETE, ABORT, FAIL, OTHER; got %q", s)
}

func parseJob(job node) (Job, error) {
	if !job.present() {
		return Job{}, fieldErr("job", "is required")
	}
	if _, err := job.object(); err != nil {
		return Job{}, err
	}
	var j Job
	var err error
	if j.Namespace, err = job.requiredString("namespace", maxNameLength); err != nil {
		return j, err
	}
	if j.Name, err = job.requiredString("name", maxNameLength); err != nil {
		return j, err
	}
	facets, err := facetsOf(job.get("facets"))
	if err != nil {
		return j, err
	}
	if f, ok := facets["jobType"]; ok {
		if j.Integration, err = f.optionalString("integration", maxNameLength); err != nil {
			return j, err
		}
	}
	if f, ok := facets["sql"]; ok {
		if j.SQL, err = f.requiredString("query", maxMessageLength); err != nil {
			return j, err
		}
		if j.SQLDialect, err = f.optionalString("dialect", maxNameLength); err != nil {
			return j, err
		}
	}
	return j, nil
}

func runFacets(n node) (errorMessage string, err error) {
	facets, err := facetsOf(n)
	if err != nil {
		return "", err
	}
	if f, ok := facets["errorMessage"]; ok {
		return f.requiredString("message", maxMessageLength)
	}
	return "", nil
}

func parseDatasets(n node, ioFacetsKey string) ([]Dataset, error) {
	if !n.present() {
		return nil, nil
	}
	items, err := n.array()
	if err != nil {
		return nil, err
	}
	if len(items) > maxDatasets {
		return nil, fieldErr(n.path, "holds %d datasets; at most %d are accepted", len(items), maxDatasets)
	}
	out := make([]Dataset, 0, len(items))
	for i, item := range items {
		d, err := parseDataset(n.index(i, item), ioFacetsKey)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
