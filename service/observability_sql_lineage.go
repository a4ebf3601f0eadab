package service

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/lineage/sqlcols"
	"github.com/sluice-dev/sluice/observability"
)

// Sources of a lineage edge.
const (
	EdgeReported = "reported"
	EdgeFromSQL  = "sql"
)

// Outcomes of reading a transformation's SQL.
const (
	SQLParsed = "parsed"
	SQLFailed = "failed"
)

// parsedSQL keeps recently parsed statements (about 4 MiB: a thousand
// 2 KiB statements' lineage, or fifty syntax trees): a scheduled job
// reports the same SQL on every run.
var parsedSQL = sqlcols.NewParseCache(4 << 20)

// maxSQLErrorLength bounds a stored parse failure reason.
const maxSQLErrorLength = 512

// SQLLineage is what sluice read from a transformation's SQL (query_str or
// the OpenLineage sql facet). It is stored with the run's transformation and
// shown with it; a failure is recorded here and never fails the report.
type SQLLineage struct {
	// Status is parsed or failed; empty when the report carried no SQL.
	Status  string `json:"status,omitempty"`
	Dialect string `json:"dialect,omitempty"`
	// Error says why the SQL could not be read.
	Error string `json:"error,omitempty"`
	// Output is the table the SQL writes, as the dataset it maps to.
	Output string `json:"output,omitempty"`
	// DerivedInputs are datasets the SQL reads that the report did not list;
	// they became inputs of the transformation.
	DerivedInputs []string `json:"derived_inputs,omitempty"`
	// Conflicts are where the report and the SQL disagree; both versions are kept.
	Conflicts []string `json:"conflicts,omitempty"`
	// Unresolved are columns the SQL names that could not be attributed to a table.
	Unresolved  []string `json:"unresolved,omitempty"`
	ColumnEdges int      `json:"column_edges,omitempty"`
	// Truncated means the SQL held more lineage than one transformation
	// keeps (observability.MaxColumnEdges edges, MaxInputDatasets inputs).
	Truncated bool `json:"truncated,omitempty"`
}

// sqlDerivation is what a transformation's SQL adds to its report.
type sqlDerivation struct {
	info   SQLLineage
	inputs []string
	edges  []ColumnEdge
}

// sqlReading is the part of reading a report's SQL that needs no database:
// parsing and a first analysis without schemas. It runs on its own
// goroutine, started before the report's transaction, so it overlaps the
// transaction's round trips; its work is bounded by the statement's size.
type sqlReading struct {
	done       chan struct{}
	parsed     *sqlcols.Parsed
	statements []sqlcols.Statement
	tables     []string // the tables the statements name
	err        error
}

func startSQLReading(in TransformationReport) *sqlReading {
	r := &sqlReading{done: make(chan struct{})}
	if strings.TrimSpace(in.QueryStr) == "" {
		close(r.done)
		return r
	}
	go func() {
		defer close(r.done)
		dialect, err := sqlcols.ParseDialect(in.SQLDialect)
		if err != nil {
			r.err = err
			return
		}
		if r.parsed, r.err = parsedSQL.Parse(in.QueryStr, dialect); r.err != nil {
			return
		}
		r.statements, r.err = r.parsed.Lineage(func(table string) []string {
			r.tables = append(r.tables, table)
			return nil
		})
	}()
	return r
}

// deriveFromSQL finishes reading the report's SQL: when its lineage depends
// on schemas (a * to expand, unqualified columns), the schemas reported with
// /log/dataset for the datasets it names are read in one query and the SQL
// analysed again with them. A failure to read the SQL is recorded, not returned.
func deriveFromSQL(ctx context.Context, q *db.Queries, teamID uuid.UUID, in TransformationReport, reading *sqlReading) (sqlDerivation, error) {
	if strings.TrimSpace(in.QueryStr) == "" {
		return sqlDerivation{}, nil
	}
	select {
	case <-reading.done:
	case <-ctx.Done():
		return sqlDerivation{}, fmt.Errorf("read the SQL of transformation %s: %w", in.TfID, ctx.Err())
	}
	d := sqlDerivation{info: SQLLineage{Status: SQLFailed, Dialect: in.SQLDialect}}
	if reading.err != nil {
		d.info.Error = truncateText(reading.err.Error(), maxSQLErrorLength)
		return d, nil
	}
	names := newDatasetNamer(in)
	statements := reading.statements
	if slices.ContainsFunc(statements, func(st sqlcols.Statement) bool { return st.NeedsSchemas }) {
		schemas, err := datasetSchemas(ctx, q, teamID, names, reading.tables)
		if err != nil {
			return d, err
		}
		if len(schemas) > 0 {
			if statements, err = reading.parsed.Lineage(func(table string) []string { return schemas[names.of(table)] }); err != nil {
				d.info.Error = truncateText(err.Error(), maxSQLErrorLength)
				return d, nil
			}
		}
	}
	d.fromStatement(pickStatement(statements, in.Output, names), in, names)
	return d, nil
}

// datasetSchemas reads the latest schema of each dataset the SQL names.
func datasetSchemas(ctx context.Context, q *db.Queries, teamID uuid.UUID, names datasetNamer, tables []string) (map[string][]string, error) {
	if len(tables) == 0 {
		return nil, nil
	}
	datasets := make([]string, len(tables))
	for i, t := range tables {
		datasets[i] = names.of(t)
	}
	slices.Sort(datasets)
	datasets = slices.Compact(datasets)
	rows, err := q.ObsDatasetSchemasByName(ctx, db.ObsDatasetSchemasByNameParams{TeamID: teamID, Names: datasets})
	if err != nil {
		return nil, fmt.Errorf("read schemas of the datasets the SQL names: %w", dbError(err))
	}
	schemas := make(map[string][]string, len(rows))
	for _, r := range rows {
		var fields []observability.Field
		if err := json.Unmarshal(r.Fields, &fields); err != nil {
			return nil, fmt.Errorf("decode schema of %s: %w", r.Name, err)
		}
		slices.SortStableFunc(fields, func(a, b observability.Field) int { return a.Position - b.Position })
		for _, f := range fields {
			schemas[r.Name] = append(schemas[r.Name], f.Name)
		}
	}
	return schemas, nil
}

// fromStatement turns the SQL's lineage into edges on the report's output
// and notes where it disagrees with the report.
func (d *sqlDerivation) fromStatement(st sqlcols.Statement, in TransformationReport, names datasetNamer) {
	d.info.Status = SQLParsed
	d.info.Unresolved = st.Unresolved
	if st.Output != "" {
		d.info.Output = names.of(st.Output)
		if !strings.EqualFold(d.info.Output, in.Output) {
			d.info.Conflicts = append(d.info.Conflicts, fmt.Sprintf("the SQL writes %s; the report names output %s", d.info.Output, in.Output))
		}
	}
	read := map[string]map[string]bool{} // dataset -> columns the SQL reads
	for _, t := range st.Inputs {
		read[names.of(t)] = map[string]bool{}
	}
	budget := observability.MaxColumnEdges - reportedColumnEdges(in)
	for _, e := range st.Edges() {
		ds := names.of(e.Input.Table)
		if len(ds) > observability.MaxDatasetName || len(e.Input.Name) > observability.MaxNameLength || len(e.Output) > observability.MaxNameLength {
			d.info.Unresolved = append(d.info.Unresolved, truncateText(ds+"."+e.Input.Name, observability.MaxNameLength))
			continue
		}
		if len(d.edges) >= budget {
			d.info.Truncated = true
			break
		}
		if read[ds] == nil {
			read[ds] = map[string]bool{}
		}
		read[ds][strings.ToLower(e.Input.Name)] = true
		d.edges = append(d.edges, ColumnEdge{InputDataset: ds, InputColumn: e.Input.Name, OutputColumn: e.Output,
			Kind: string(e.Kind), Source: EdgeFromSQL})
	}
	d.info.ColumnEdges = len(d.edges)
	// What the SQL names but could not attribute may be what the report
	// lists: not a conflict.
	unresolved := map[string]bool{}
	for _, u := range st.Unresolved {
		if table, found := strings.CutSuffix(u, ".*"); found {
			unresolved[names.of(table)+".*"] = true
		} else {
			unresolved[strings.ToLower(u)] = true
		}
	}
	listed := map[string]bool{}
	for _, input := range in.Inputs {
		listed[input.Name] = true
		columns, ok := read[input.Name]
		if !ok {
			d.info.Conflicts = append(d.info.Conflicts, fmt.Sprintf("input %s is listed but the SQL does not read it", input.Name))
			continue
		}
		if unresolved[input.Name+".*"] { // a * over it the SQL could not expand
			continue
		}
		for _, c := range input.Columns {
			if !columns[strings.ToLower(c)] && !unresolved[strings.ToLower(c)] {
				d.info.Conflicts = append(d.info.Conflicts, fmt.Sprintf("column %s.%s is listed but the SQL does not read it", input.Name, c))
			}
		}
	}
	for ds := range read {
		if !listed[ds] && ds != in.Output && len(ds) <= observability.MaxDatasetName {
			d.inputs = append(d.inputs, ds)
		}
	}
	slices.Sort(d.inputs)
	if room := observability.MaxInputDatasets - len(in.Inputs); len(d.inputs) > room {
		d.inputs, d.info.Truncated = d.inputs[:max(room, 0)], true
		kept := map[string]bool{}
		for _, ds := range d.inputs {
			kept[ds] = true
		}
		d.edges = slices.DeleteFunc(d.edges, func(e ColumnEdge) bool { return !listed[e.InputDataset] && !kept[e.InputDataset] })
		d.info.ColumnEdges = len(d.edges)
	}
	d.info.DerivedInputs = d.inputs
	d.info.Conflicts = boundList(d.info.Conflicts)
	d.info.Unresolved = boundList(d.info.Unresolved)
}

// maxListedNotes bounds the conflicts and unresolved names one
// transformation's sql_lineage lists.
const maxListedNotes = 100

// boundList keeps the first maxListedNotes entries and says how many more there were.
func boundList(list []string) []string {
	if len(list) <= maxListedNotes {
		return list
	}
	return append(list[:maxListedNotes:maxListedNotes], fmt.Sprintf("… and %d more", len(list)-maxListedNotes))
}

// reportedColumnEdges counts the column edges the report itself carries.
func reportedColumnEdges(in TransformationReport) int {
	n := len(in.ColumnLineage)
	for _, input := range in.Inputs {
		n += len(input.Columns)
	}
	return n
}

// pickStatement chooses the statement that writes the report's output, else
// the last that writes anything, else the last.
func pickStatement(statements []sqlcols.Statement, output string, names datasetNamer) sqlcols.Statement {
	chosen := statements[len(statements)-1]
	for i := len(statements) - 1; i >= 0; i-- {
		if st := statements[i]; st.Output != "" && strings.EqualFold(names.of(st.Output), output) {
			return st
		}
	}
	for i := len(statements) - 1; i >= 0; i-- {
		if statements[i].Output != "" {
			return statements[i]
		}
	}
	return chosen
}

// datasetNamer maps the tables a statement names to the datasets the report
// names: exactly, ignoring case, or by the last parts when one side leaves
// out the schema or catalog.
type datasetNamer struct{ reported []string }

func newDatasetNamer(in TransformationReport) datasetNamer {
	n := datasetNamer{reported: []string{in.Output}}
	for _, input := range in.Inputs {
		n.reported = append(n.reported, input.Name)
	}
	return n
}

func (n datasetNamer) of(table string) string {
	lower := strings.ToLower(table)
	for _, r := range n.reported {
		if strings.EqualFold(r, table) {
			return r
		}
	}
	for _, r := range n.reported {
		l := strings.ToLower(r)
		if strings.HasSuffix(l, "."+lower) || strings.HasSuffix(lower, "."+l) {
			return r
		}
	}
	return table
}

// truncateText cuts s to at most max bytes at a rune boundary.
func truncateText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8RuneStart(s[max]) {
		max--
	}
	return s[:max]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
