package sqlcols_test

import (
	"testing"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"

	"github.com/sluice-dev/sluice/lineage/sqlcols"
)

// trickyStatements hold the values the JSON decoder reads by hand: escapes,
// multi-byte and astral characters, extreme numbers, every constant kind,
// enums, empty lists.
var trickyStatements = []string{
	`SELECT 'a"b\c', E'tab\there\nnew\\line\u0001', 'żółć 漢字 🙂', U&'\0041\+01F600' FROM "Quoted ""Name"""."t 1"`,
	`SELECT 9223372036854775807, -2147483648, 2147483648, 1e308, -1.5e-10, 0.0, true, false, NULL, B'1010', X'ff'`,
	`SELECT $1, $2::int[], ARRAY[1, 2], ROW(1, 'x'), a[1:2], (b).c FROM t WHERE x IS NOT DISTINCT FROM y`,
	`INSERT INTO t DEFAULT VALUES`,
	`SELECT FROM t`,
	`SELECT count(*) FILTER (WHERE a > 0) OVER w FROM t WINDOW w AS (PARTITION BY b ORDER BY c ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)`,
	`MERGE INTO t USING s ON t.id = s.id WHEN MATCHED AND s.d THEN DELETE WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v)`,
	`SELECT x FROM t1; CREATE VIEW v (a, b) AS SELECT 1, 2; COMMENT ON TABLE t IS '€'`,
	"SELECT '\x7f', '\u2028', 'back\\\\slash'",
}

// TestPostgresJSONTreeMatchesProtobuf checks the JSON decoder against
// libpg_query's protobuf output: the same tree for every statement of the
// corpus, the large statements and the tricky ones.
func TestPostgresJSONTreeMatchesProtobuf(t *testing.T) {
	statements := append([]string(nil), trickyStatements...)
	for _, c := range readCorpus(t, "postgres") {
		statements = append(statements, c.sql)
	}
	for _, sql := range largeStatements() {
		statements = append(statements, sql)
	}
	for _, sql := range statements {
		assertSameTree(t, sql)
	}
}

func assertSameTree(t *testing.T, sql string) {
	t.Helper()
	want, wantErr := pg.Parse(sql)
	got, err := sqlcols.ParsePostgresJSON(sql)
	if (wantErr == nil) != (err == nil) {
		t.Fatalf("%.200q: protobuf error %v, JSON error %v", sql, wantErr, err)
	}
	if wantErr == nil && !proto.Equal(want, got) {
		t.Fatalf("%.200q: trees differ\nprotobuf: %.2000v\nJSON:     %.2000v", sql, want, got)
	}
}

// FuzzPostgresJSONTree compares the two ways of reading libpg_query's tree
// on arbitrary text.
func FuzzPostgresJSONTree(f *testing.F) {
	for _, sql := range trickyStatements {
		f.Add(sql)
	}
	for _, c := range readCorpus(f, "postgres") {
		f.Add(c.sql)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		if len(sql) > sqlcols.MaxStatementBytes {
			return
		}
		assertSameTree(t, sql)
	})
}

// BenchmarkParsePostgres compares libpg_query's protobuf output with its
// JSON output read by the decoder, on the corpus's statements one after another.
func BenchmarkParsePostgres(b *testing.B) {
	corpus := readCorpus(b, "postgres")
	for _, way := range []struct {
		name  string
		parse func(string) (*pg.ParseResult, error)
	}{{"protobuf", pg.Parse}, {"json", sqlcols.ParsePostgresTree}} {
		b.Run(way.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := way.parse(corpus[i%len(corpus)].sql); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
