package sqlguard

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestCheckPostgres runs the Postgres corpus, and Redshift through the same parser.
func TestCheckPostgres(t *testing.T) {
	checkCorpus(t, connectors.DialectPostgres, postgresWrites, postgresReads)
	checkCorpus(t, connectors.DialectRedshift, postgresWrites, postgresReads)
}

// TestCheckMySQL runs the MySQL corpus.
func TestCheckMySQL(t *testing.T) {
	checkCorpus(t, connectors.DialectMySQL, mysqlWrites, mysqlReads)
}

// TestCheckClassified runs each classified dialect's corpus.
func TestCheckClassified(t *testing.T) {
	for dialect, c := range classifiedCorpus {
		t.Run(string(dialect), func(t *testing.T) { checkCorpus(t, dialect, c.writes, c.reads) })
	}
}

// TestCheckInputLimits covers what every dialect refuses before parsing.
func TestCheckInputLimits(t *testing.T) {
	big := "SELECT '" + strings.Repeat("x", MaxStatementBytes) + "'"
	cases := []struct{ name, sql, reason string }{
		{"over 1 MiB", big, `^statement is \d+ bytes; the limit is 1048576$`},
		{"NUL byte", "SELECT 1\x00; DELETE FROM sg.items", `^statement contains a NUL byte$`},
		{"invalid UTF-8", "SELECT '\xff'", `^statement is not valid UTF-8$`},
	}
	dialects := []connectors.Dialect{connectors.DialectPostgres, connectors.DialectRedshift, connectors.DialectMySQL,
		connectors.DialectSQLServer, connectors.DialectBigQuery, connectors.DialectSnowflake, connectors.DialectDuckDB}
	for _, d := range dialects {
		for _, c := range cases {
			requireRefused(t, d, c.sql, c.reason)
		}
		// Just under the limit is still classified.
		if err := Check(d, big[:MaxStatementBytes-1]+"'"); err != nil {
			t.Errorf("%s refused a 1 MiB read: %v", d, err)
		}
	}
	requireRefused(t, "oracle", "SELECT 1 FROM dual", `^unknown SQL dialect "oracle"$`)
}

// TestCheckNesting refuses statements nested past what libpg_query's
// unchecked recursion survives, and accepts what comes close.
func TestCheckNesting(t *testing.T) {
	requireRefused(t, connectors.DialectPostgres, "SELECT "+strings.Repeat("1+", 100000)+"1", `^statement nests more than 2000 levels deep$`)
	requireRefused(t, connectors.DialectPostgres, "SELECT "+strings.Repeat("(SELECT ", 700)+"1"+strings.Repeat(")", 700), `nests more than`)
	requireRefused(t, connectors.DialectPostgres, "SELECT "+strings.Repeat("(", 20000)+"1"+strings.Repeat(")", 20000), `nests more than`)
	for _, ok := range []string{
		"SELECT " + strings.Repeat("1+", 1900) + "1",
		"SELECT 1 WHERE " + strings.Repeat("a = 1 OR ", 50000) + "true",
		"SELECT 1 WHERE a IN (" + strings.Repeat("1, ", 100000) + "1)",
		"SELECT " + strings.Repeat("(SELECT ", 600) + "1" + strings.Repeat(")", 600),
	} {
		if err := Check(connectors.DialectPostgres, ok); err != nil {
			t.Errorf("refused a deep but bounded statement (%.40s...): %v", ok, err)
		}
	}
	for _, d := range []connectors.Dialect{connectors.DialectMySQL, connectors.DialectSQLServer} {
		// Pure Go parsers: deep input costs time, not a crash.
		requireRefused(t, d, "SELECT "+strings.Repeat("1+", 200000)+"1; DELETE FROM items", `^2 statements`)
	}
}

// requireRefused checks that Check refuses sql with a reason matching pattern.
func requireRefused(t *testing.T, d connectors.Dialect, sql, pattern string) {
	t.Helper()
	err := Check(d, sql)
	var roErr *connectors.ReadOnlyError
	if !errors.As(err, &roErr) || !errors.Is(err, connectors.ErrReadOnly) {
		t.Errorf("%s: Check(%.40q) = %v; want a *connectors.ReadOnlyError", d, sql, err)
		return
	}
	if !regexp.MustCompile(pattern).MatchString(roErr.Reason) {
		t.Errorf("%s: Check(%.40q) reason %q; want one matching %q", d, sql, roErr.Reason, pattern)
	}
}
