package sqlguard

import (
	"errors"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// unparsablePrefix starts the reason of every refusal of a statement the
// dialect's parser could not parse (see Check).
const unparsablePrefix = "could not parse: "

// SyntaxMessage reports whether err refuses a statement because Postgres's
// own parser (libpg_query, for Postgres and Redshift) could not parse it, and
// returns the parser's message: such a statement is a syntax error to the
// user, not a write attempt. MySQL is left out: the TiDB parser cannot read
// some valid MariaDB reads, which must not be reported as syntax errors. A
// parser crash is not reported as one either.
func SyntaxMessage(dialect connectors.Dialect, err error) (string, bool) {
	switch dialect {
	case connectors.DialectPostgres, connectors.DialectRedshift:
	default:
		return "", false
	}
	var ro *connectors.ReadOnlyError
	if !errors.As(err, &ro) {
		return "", false
	}
	msg, ok := strings.CutPrefix(ro.Reason, unparsablePrefix)
	if !ok || strings.HasPrefix(msg, "parser failed") {
		return "", false
	}
	return msg, true
}
