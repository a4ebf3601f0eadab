package sqlcols_test

import (
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/lineage/sqlcols"
)

// TestParseCacheAnswersRepeatsAndStaysBounded checks a repeated statement
// comes from the cache and old ones leave it past its byte bound.
func TestParseCacheAnswersRepeatsAndStaysBounded(t *testing.T) {
	c := sqlcols.NewParseCache(100)
	first := "CREATE TABLE b AS SELECT id FROM a" // 34 bytes
	p1, err := c.Parse(first, sqlcols.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if p2, _ := c.Parse(first, sqlcols.Postgres); p2 != p1 {
		t.Error("a repeated statement was parsed again")
	}
	for i := range 3 { // 3 × 35 bytes push the first one out
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
