package sqlguard

import (
	"errors"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestTyposAreSyntaxErrors: a typo on a MySQL source or the lake was refused
// as if it wrote ("SELEC statements are not read-only queries", 403); it is
// a *SyntaxError carrying the parser's message, still refused.
func TestTyposAreSyntaxErrors(t *testing.T) {
	cases := []struct {
		dialect  connectors.Dialect
		sql      string
		mentions string
	}{
		{connectors.DialectMySQL, "SELECT * FORM t", "MySQL parser"},
		{connectors.DialectMySQL, "SELEC 1", "MySQL parser"},
		{connectors.DialectDuckDB, "SELEC 1", "did you mean SELECT?"},
		{connectors.DialectSnowflake, "SELCT 1", "did you mean SELECT?"},
		{connectors.DialectPostgres, "SELEC 1", "syntax error"},
	}
	for _, tc := range cases {
		err := Check(tc.dialect, tc.sql)
		var se *SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, connectors.ErrReadOnly) {
			t.Errorf("%s %q: %v (%T), want a SyntaxError that is still a refusal", tc.dialect, tc.sql, err, err)
			continue
		}
		if !strings.Contains(se.Message, tc.mentions) {
			t.Errorf("%s %q: message %q lacks %q", tc.dialect, tc.sql, se.Message, tc.mentions)
		}
	}
	for _, write := range []struct {
		dialect connectors.Dialect
		sql     string
	}{{connectors.DialectMySQL, "DELETE FROM t"}, {connectors.DialectDuckDB, "INSERT INTO t VALUES (1)"}, {connectors.DialectDuckDB, "PRAGMA x"}, {connectors.DialectDuckDB, "FORCE CHECKPOINT"}} {
		var se *SyntaxError
		if err := Check(write.dialect, write.sql); err == nil || errors.As(err, &se) {
			t.Errorf("%s %q: %v, want a refusal that is not a syntax error", write.dialect, write.sql, err)
		}
	}
}
