package postgres

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// inlineArgs renders the bind parameters $1…$n of query as SQL literals,
// since COPY takes no parameters.
//
// The values are cursor and resume-key values read from the source itself,
// so they are attacker-controlled text (a second-order injection): they must
// never end a literal early. Two rules keep them data:
//   - placeholders are replaced in one left-to-right pass that skips quoted
//     identifiers, so a substituted literal (which may itself contain "$1")
//     is never scanned again, and a column named "a$1" is left alone;
//   - every string is written as an E'...' literal (see quoteLiteral), whose
//     meaning does not depend on standard_conforming_strings.
func inlineArgs(query string, args []any) (string, error) {
	var b strings.Builder
	for i := 0; i < len(query); i++ {
		switch c := query[i]; {
		case c == '"' || c == '\'':
			end := closingQuote(query, i)
			b.WriteString(query[i:end])
			i = end - 1
		case c == '$' && i+1 < len(query) && isDigit(query[i+1]):
			j := i + 1
			for j < len(query) && isDigit(query[j]) {
				j++
			}
			n, err := strconv.Atoi(query[i+1 : j])
			if err != nil || n < 1 || n > len(args) {
				return "", fmt.Errorf("inline parameters: no value for %s", query[i:j])
			}
			lit, err := literal(args[n-1])
			if err != nil {
				return "", fmt.Errorf("inline parameter $%d: %w", n, err)
			}
			b.WriteString(lit)
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// closingQuote returns the index just past the quoted run that starts at
// query[start]; a doubled quote stays inside it.
func closingQuote(query string, start int) int {
	q := query[start]
	for i := start + 1; i < len(query); i++ {
		if query[i] != q {
			continue
		}
		if i+1 < len(query) && query[i+1] == q {
			i++
			continue
		}
		return i + 1
	}
	return len(query)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// literal renders one value as a Postgres literal. Numbers are written
// bare only when they are finite; everything else is a quoted literal left
// untyped, so the server coerces it to the compared column's type as it
// would a parameter.
func literal(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "NULL", nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return quoteLiteral(strconv.FormatFloat(x, 'g', -1, 64)), nil
		}
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	case time.Time:
		return quoteLiteral(x.Format(time.RFC3339Nano)), nil
	case []byte:
		return quoteLiteral(`\x` + hex.EncodeToString(x)), nil
	case string:
		return quoteLiteral(x), nil
	case connectors.Decimal:
		return quoteLiteral(string(x)), nil
	case connectors.Date:
		return quoteLiteral(string(x)), nil
	case fmt.Stringer:
		return quoteLiteral(x.String()), nil
	}
	return quoteLiteral(fmt.Sprint(v)), nil
}

// quoteLiteral writes s as an escape-string literal, E'...', doubling
// backslashes and quotes. An E'...' string reads backslashes as escapes whatever
// standard_conforming_strings says (and on Redshift), so the text between the
// quotes is s under every server setting; a plain '...' with only quotes
// doubled is not (with the setting off, \' ends nothing and the rest of the
// value becomes SQL). The connector sets client_encoding=UTF8 (poolConfig),
// in which no multi-byte character contains a backslash or quote byte.
func quoteLiteral(s string) string {
	return "E'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}
