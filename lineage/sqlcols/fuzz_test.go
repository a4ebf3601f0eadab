package sqlcols_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/lineage/sqlcols"
)

// FuzzExtract feeds arbitrary text to both dialects: Extract must answer
// with lineage or an error, never fail inside, and never read past its bound.
func FuzzExtract(f *testing.F) {
	for _, dialect := range []string{"postgres", "mysql"} {
		for _, c := range readCorpus(f, dialect) {
			f.Add(c.sql)
		}
	}
	f.Add("SELECT ((((((((((a))))))))))")
	f.Add("WITH a AS (SELECT * FROM a) SELECT * FROM a")
	f.Fuzz(func(t *testing.T, sql string) {
		for _, d := range []sqlcols.Dialect{sqlcols.Postgres, sqlcols.MySQL} {
			_, err := sqlcols.Extract(sql, d, lookupCorpusSchema)
			if errors.Is(err, sqlcols.ErrInternal) {
				t.Fatalf("%s: %v", d, err)
			}
		}
	})
}

// largeStatements are 64 KiB statements shaped to stress the analysis: wide,
// deep, many set operations, many chained CTEs.
func largeStatements() map[string]string {
	fill := func(prefix, part, sep, suffix string) string {
		var b strings.Builder
		b.WriteString(prefix)
		for i := 0; b.Len()+len(part)+len(suffix)+8 < sqlcols.MaxStatementBytes; i++ {
			if i > 0 {
				b.WriteString(sep)
			}
			b.WriteString(strings.ReplaceAll(part, "#", fmt.Sprint(i)))
		}
		return b.String() + suffix
	}
	return map[string]string{
		"wide":   fill("CREATE TABLE w AS SELECT ", "upper(c#) || d#", ", ", " FROM t JOIN u ON t.k = u.k"),
		"unions": fill("INSERT INTO w ", "SELECT a, b FROM t#", " UNION ALL ", ""),
		"ctes":   fill("WITH c0 AS (SELECT 1 AS x), ", "c#x AS (SELECT x, x + 1 AS y FROM c0)", ", ", " SELECT * FROM c0"),
		"nested": strings.Repeat("SELECT * FROM (", 150) + "SELECT a FROM t" + strings.Repeat(") s", 150),
	}
}

// TestExtractBounds checks that 64 KiB statements are analysed or refused,
// and longer ones refused, without a failure inside.
func TestExtractBounds(t *testing.T) {
	for name, sql := range largeStatements() {
		for _, d := range []sqlcols.Dialect{sqlcols.Postgres, sqlcols.MySQL} {
			_, err := sqlcols.Extract(sql, d, lookupCorpusSchema)
			if errors.Is(err, sqlcols.ErrInternal) {
				t.Errorf("%s, %s: %v", name, d, err)
			}
		}
	}
	if _, err := sqlcols.Extract(strings.Repeat(" ", sqlcols.MaxStatementBytes+1), sqlcols.Auto, nil); !errors.Is(err, sqlcols.ErrTooLarge) {
		t.Errorf("a statement over 64 KiB: %v, want ErrTooLarge", err)
	}
	if _, err := sqlcols.Extract("CREATE TABLE x AS SELEC nothing", sqlcols.Postgres, nil); err == nil {
		t.Error("a statement that does not parse gave no error")
	}
	if _, err := sqlcols.Extract("SET search_path = x", sqlcols.Postgres, nil); !errors.Is(err, sqlcols.ErrNoLineage) {
		t.Errorf("a statement without tables: %v, want ErrNoLineage", err)
	}
}

// BenchmarkExtract64KiB times the analysis of 64 KiB statements and reports
// their memory (b.ReportAllocs): the bound a hostile query_str can cost.
func BenchmarkExtract64KiB(b *testing.B) {
	for name, sql := range largeStatements() {
		for _, d := range []sqlcols.Dialect{sqlcols.Postgres, sqlcols.MySQL} {
			b.Run(string(d)+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_, _ = sqlcols.Extract(sql, d, lookupCorpusSchema)
				}
			})
		}
	}
}
