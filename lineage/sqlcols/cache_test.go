package sqlcols_test

import (
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/lineage/sqlcols"
)

// TestParseCacheAnswersRepeatsAndStaysBounded checks a repeated statement
// comes from the cache and old ones leave it past its byte bound.
func TestParseCacheAnswersRepeatsAndStaysBounded(t *testing.T) {
	c := sqlcols.NewParseCache(150)
	first := "CREATE TABLE b AS SELECT id FROM a" // 34 bytes, kept as its lineage: 68
	p1, err := c.Parse(first, sqlcols.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if p2, _ := c.Parse(first, sqlcols.Postgres); p2 != p1 {
		t.Error("a repeated statement was parsed again")
	}
	for i := range 3 { // 3 × 70 push the first one out
		if _, err := c.Parse("CREATE TABLE b AS SELECT id FROM a"+strings.Repeat(" ", i+1), sqlcols.Postgres); err != nil {
			t.Fatal(err)
		}
	}
	if p3, _ := c.Parse(first, sqlcols.Postgres); p3 == p1 {
		t.Error("the oldest statement stayed past the cache's bound")
	}
	if _, err := c.Parse("SELEC nothing", sqlcols.Postgres); err == nil {
		t.Error("a statement that does not parse gave no error")
	}
}

// TestParseCacheKeepsWhatSchemasChange checks a statement whose lineage
// depends on schemas is analysed again with them on a cache hit, and that a
// caller changing what one analysis returned changes nothing for the next.
func TestParseCacheKeepsWhatSchemasChange(t *testing.T) {
	c := sqlcols.NewParseCache(1 << 20)
	for range 2 {
		p, err := c.Parse("CREATE TABLE b AS SELECT * FROM customers", sqlcols.Postgres)
		if err != nil {
			t.Fatal(err)
		}
		without, _ := p.Lineage(nil)
		with, _ := p.Lineage(lookupCorpusSchema)
		if len(without[0].Columns) != 0 || len(with[0].Columns) != len(corpusSchemas["customers"]) {
			t.Fatalf("SELECT * gave %d columns without schemas and %d with, want 0 and %d",
				len(without[0].Columns), len(with[0].Columns), len(corpusSchemas["customers"]))
		}
	}
	sql := "CREATE TABLE b AS SELECT id, upper(name) AS n FROM customers"
	for range 3 {
		p, err := c.Parse(sql, sqlcols.Postgres)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := p.Lineage(nil)
		if r := render(got); !strings.Contains(r, "n <- customers.name transformation") || strings.Contains(r, "changed") {
			t.Fatalf("a cached lineage reads %s", r)
		}
		got[0].Columns[1].Sources[0].Name = "changed"
		got[0].Unresolved = append(got[0].Unresolved, "changed")
	}
}

// TestParsedIsSharedSafely analyses one cached parse from many goroutines
// at once, as concurrent reports of the same SQL do (run with -race).
func TestParsedIsSharedSafely(t *testing.T) {
	c := sqlcols.NewParseCache(1 << 20)
	sql := "CREATE TABLE b AS WITH t AS (SELECT id, sum(amount) AS s FROM orders GROUP BY id) SELECT t.id, CASE WHEN s > 0 THEN s END AS s FROM t JOIN customers c ON c.id = t.id"
	p, err := c.Parse(sql, sqlcols.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := p.Lineage(lookupCorpusSchema)
	done := make(chan string, 8)
	for range 8 {
		go func() {
			got, err := p.Lineage(lookupCorpusSchema)
			if err != nil {
				done <- err.Error()
				return
			}
			done <- render(got)
		}()
	}
	for range 8 {
		if got := <-done; got != render(want) {
			t.Errorf("a concurrent analysis gave %s, want %s", got, render(want))
		}
	}
}
