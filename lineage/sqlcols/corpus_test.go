package sqlcols_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/lineage/sqlcols"
)

// corpusSchemas are the dataset schemas the corpora's stars expand over.
var corpusSchemas = map[string][]string{
	"shared_db.table_a": {"id", "name", "event_type", "created_at"},
	"orders":            {"id", "customer_id", "amount", "status", "created_at"},
	"customers":         {"id", "name", "email", "country"},
	"payments":          {"id", "order_id", "amount", "paid_at"},
}

func lookupCorpusSchema(table string) []string { return corpusSchemas[table] }

// corpusCase is one statement of a corpus and the lineage written for it by hand.
type corpusCase struct {
	name, sql, want string
}

// readCorpus reads testdata/<dialect>.txt (format described at its top).
func readCorpus(t testing.TB, dialect string) []corpusCase {
	t.Helper()
	f, err := os.Open("testdata/" + dialect + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []corpusCase
	var sql, want []string
	flush := func() {
		if len(cases) > 0 {
			cases[len(cases)-1].sql = strings.Join(sql, "\n")
			cases[len(cases)-1].want = strings.Join(want, "\n")
		}
		sql, want = nil, nil
	}
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimRight(s.Text(), " ")
		switch {
		case strings.HasPrefix(line, "#") || line == "":
		case strings.HasPrefix(line, "-- "):
			flush()
			cases = append(cases, corpusCase{name: strings.TrimPrefix(line, "-- ")})
		case strings.HasPrefix(line, "=>") || len(want) > 0:
			want = append(want, line)
		default:
			sql = append(sql, line)
		}
	}
	flush()
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// render writes statements in the corpus's format.
func render(statements []sqlcols.Statement) string {
	var lines []string
	for _, st := range statements {
		out := st.Output
		if out == "" {
			out = "-"
		}
		lines = append(lines, "=> "+out, strings.TrimRight("inputs: "+strings.Join(st.Inputs, " "), " "))
		for _, c := range st.Columns {
			sources := make([]string, len(c.Sources))
			for i, s := range c.Sources {
				sources[i] = s.Table + "." + s.Name + " " + string(s.Kind)
			}
			lines = append(lines, strings.TrimRight(c.Name+" <- "+strings.Join(sources, ", "), " "))
		}
		if len(st.Unresolved) > 0 {
			lines = append(lines, "unresolved: "+strings.Join(st.Unresolved, " "))
		}
	}
	return strings.Join(lines, "\n")
}

func runCorpus(t *testing.T, dialect sqlcols.Dialect, file string, min int) {
	cases := readCorpus(t, file)
	if len(cases) < min {
		t.Fatalf("%s corpus holds %d statements, want at least %d", file, len(cases), min)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := sqlcols.Extract(c.sql, dialect, lookupCorpusSchema)
			if err != nil {
				t.Fatalf("extract %q: %v", c.sql, err)
			}
			if r := render(got); r != c.want {
				t.Errorf("%s\ngot:\n%s\nwant:\n%s", c.sql, r, c.want)
			}
		})
	}
}

// TestPostgresCorpus checks the Postgres dialect against hand-written lineage.
func TestPostgresCorpus(t *testing.T) { runCorpus(t, sqlcols.Postgres, "postgres", 60) }

// TestEdgesListRowDecidingColumnsOnce: a WHERE column becomes one edge for
// all output columns, a column used directly keeps its direct edge.
func TestEdgesListRowDecidingColumnsOnce(t *testing.T) {
	got, err := sqlcols.Extract("CREATE TABLE b AS SELECT id, status FROM a WHERE status <> 'x' AND id > 0 AND v IS NULL", sqlcols.Postgres, nil)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range got[0].Edges() {
		lines = append(lines, e.Input.Table+"."+e.Input.Name+" -> "+e.Output+" "+string(e.Kind))
	}
	want := "a.id -> id identity|a.status ->  indirect|a.v ->  indirect|a.id ->  indirect|a.status -> status identity"
	if strings.Join(lines, "|") != want {
		t.Errorf("edges = %q\nwant %q", strings.Join(lines, "|"), want)
	}
}

// TestMySQLCorpus checks the MySQL dialect against hand-written lineage.
func TestMySQLCorpus(t *testing.T) { runCorpus(t, sqlcols.MySQL, "mysql", 60) }
