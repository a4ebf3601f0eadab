package bigquery

import (
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestCursorRestrictionKeepsValuesInTheirLiteral: the Storage Read API's
// row restriction takes no parameters, so a string cursor value read from
// the source is written as a literal. Whatever it holds, the literal must end
// at its own closing quote and read back as the value.
func TestCursorRestrictionKeepsValuesInTheirLiteral(t *testing.T) {
	col := connectors.Column{Name: "k", Type: connectors.Type{Kind: connectors.KindString}}
	for _, v := range []string{`x' OR TRUE --`, `x\' OR TRUE --`, "x\\\\'\n) OR (TRUE", `'''`, `\`} {
		r, err := cursorRestriction(col, v)
		if err != nil {
			t.Fatal(err)
		}
		lit := strings.TrimSuffix(strings.TrimPrefix(r, "`k` > CAST("), " AS STRING)")
		got, rest, ok := readGoogleSQLString(lit)
		if !ok || rest != "" || got != v {
			t.Errorf("value %q: restriction %s reads as %q followed by %q", v, r, got, rest)
		}
	}
}

// readGoogleSQLString reads one single-quoted GoogleSQL string literal at the
// start of s, as the server does, and returns its value and what follows.
func readGoogleSQLString(s string) (value, rest string, ok bool) {
	if !strings.HasPrefix(s, "'") {
		return "", s, false
	}
	escapes := map[byte]string{'n': "\n", 'r': "\r", '\\': `\`, '\'': `'`}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\'':
			return b.String(), s[i+1:], true
		case '\\':
			if i+1 >= len(s) {
				return "", "", false
			}
			i++
			e, known := escapes[s[i]]
			if !known {
				return "", "", false
			}
			b.WriteString(e)
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", false
}
