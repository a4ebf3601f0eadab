package semantic

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

var update = flag.Bool("update", false, "rewrite the golden SQL files in testdata/golden")

// goldenNow anchors relative date ranges in the golden files: a Friday in
// March, in UTC.
var goldenNow = time.Date(2024, 3, 15, 12, 30, 0, 0, time.UTC)

var allDialects = []connectors.Dialect{
	connectors.DialectPostgres, connectors.DialectRedshift, connectors.DialectMySQL, connectors.DialectSQLServer,
	connectors.DialectBigQuery, connectors.DialectSnowflake, connectors.DialectDuckDB,
}

func loadTestModel(t testing.TB) *Model {
	t.Helper()
	src, err := os.ReadFile("testdata/model.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseModel(src)
	if err != nil {
		t.Fatalf("parse testdata/model.yaml: %v", err)
	}
	return m
}

// goldenQuery is one query of testdata/golden, named by its file.
type goldenQuery struct {
	name string
	raw  []byte
}

// goldenQueries reads every query in testdata/golden, in file name order.
func goldenQueries(t testing.TB) []goldenQuery {
	t.Helper()
	paths, err := filepath.Glob("testdata/golden/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden queries: %v", err)
	}
	out := make([]goldenQuery, len(paths))
	for i, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = goldenQuery{name: strings.TrimSuffix(filepath.Base(path), ".json"), raw: raw}
	}
	return out
}

// TestGoldenSQL compiles every query in testdata/golden for every dialect
// and compares the SQL with testdata/golden/<query>.<dialect>.sql. Run
// `go test ./semantic -run Golden -update` to rewrite them after a change,
// then read the diff.
func TestGoldenSQL(t *testing.T) {
	m := loadTestModel(t)
	for _, g := range goldenQueries(t) {
		name := g.name
		q, err := ParseQuery(g.raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, d := range allDialects {
			t.Run(name+"/"+string(d), func(t *testing.T) {
				c, err := Compile(m, q, Options{Dialect: d, Now: goldenNow})
				if err != nil {
					t.Fatalf("compile: %v", err)
				}
				golden := filepath.Join("testdata", "golden", name+"."+string(d)+".sql")
				if *update {
					if err := os.WriteFile(golden, []byte(c.SQL+"\n"), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if got := c.SQL + "\n"; got != string(want) {
					t.Errorf("SQL differs from %s:\n--- got\n%s--- want\n%s", golden, got, want)
				}
			})
		}
	}
}
