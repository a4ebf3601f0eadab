package sqlcols

import pg "github.com/pganalyze/pg_query_go/v6"

// ParsePostgresTree is parsePostgresTree, for the benchmark.
var ParsePostgresTree = parsePostgresTree

// ParsePostgresJSON parses sql through libpg_query's JSON with no fallback,
// so the tests see the decoder's own errors.
func ParsePostgresJSON(sql string) (*pg.ParseResult, error) {
	return parsePostgresJSON(sql, func(_ string, err error) (*pg.ParseResult, error) { return nil, err })
}
