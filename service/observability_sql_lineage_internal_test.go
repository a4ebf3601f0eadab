package service

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/lineage/sqlcols"
)

// TestLineageEdgesMergeReportAndSQL: a reported column the SQL maps becomes
// "both" on the SQL's edges, one it does not map keeps its reported edge, and
// a table only the SQL reads gets edges marked sql.
func TestLineageEdgesMergeReportAndSQL(t *testing.T) {
	in := TransformationReport{Output: "out", Inputs: []InputDataset{{Name: "a", Columns: []string{"x", "gone"}}}}
	fromSQL := []ColumnEdge{
		{InputDataset: "a", InputColumn: "x", OutputColumn: "y", Kind: "transformation", Source: EdgeFromSQL},
		{InputDataset: "b", InputColumn: "k", OutputColumn: "", Kind: "indirect", Source: EdgeFromSQL},
	}
	ids := map[string]int64{"out": 1, "a": 2, "b": 3}
	e := lineageEdges(in, fromSQL, ids)
	var got []string
	for i := range e.inputs {
		got = append(got, fmt.Sprintf("%d.%s->%s %s %s", e.inputs[i], e.inputColumns[i], e.outputColumns[i], e.kinds[i], e.sources[i]))
	}
	want := []string{"2.->  both", "2.x->y transformation both", "3.->  sql", "3.k-> indirect sql", "2.gone->  reported"}
	if !slices.Equal(got, want) {
		t.Errorf("edges:\n got %q\nwant %q", got, want)
	}
}

// TestSQLConflictsAreKeptAndBounded: listed inputs and columns the SQL does
// not read are conflicts, at most maxListedNotes of them plus a count.
func TestSQLConflictsAreKeptAndBounded(t *testing.T) {
	columns := make([]string, 150)
	for i := range columns {
		columns[i] = fmt.Sprintf("c%d", i)
	}
	in := TransformationReport{Output: "b", Inputs: []InputDataset{{Name: "a", Columns: columns}, {Name: "z"}}}
	statements, err := sqlcols.Extract("CREATE TABLE b AS SELECT id FROM a", sqlcols.Postgres, nil)
	if err != nil {
		t.Fatal(err)
	}
	var d sqlDerivation
	d.fromStatement(statements[0], in, newDatasetNamer(in))
	if len(d.info.Conflicts) != maxListedNotes+1 || !strings.HasPrefix(d.info.Conflicts[maxListedNotes], "… and 51 more") {
		t.Errorf("%d conflicts, last %q", len(d.info.Conflicts), d.info.Conflicts[len(d.info.Conflicts)-1])
	}
	if d.info.Status != SQLParsed || d.info.ColumnEdges != 1 {
		t.Errorf("sql_lineage = %+v", d.info)
	}
}
