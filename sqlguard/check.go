// Package sqlguard is the first of sluice's two read-only defenses: before a
// statement is sent to a source, a real parser (or, for dialects without one in
// Go, a conservative tokenizer) classifies it, and anything that is not exactly
// one statement that only reads is refused.
//
// The guard is not meant to stand alone. A source can always run code the guard
// cannot see (a view or a user-defined function that writes), so connectors
// also run every query in a read-only transaction with a statement timeout
// where the database has one. The guard's job is to refuse early, with a reason
// a person can act on, and to close the gaps the database does not: reading
// server files, taking locks, signalling other sessions, sleeping.
package sqlguard

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sluice-dev/sluice/connectors"
)

// MaxStatementBytes is the largest statement the guard will classify. Ad-hoc
// queries are far smaller; the limit bounds the parsers' time and memory.
const MaxStatementBytes = 1 << 20

// Check returns nil if sql is exactly one statement that only reads, in the
// given dialect, and otherwise a *connectors.ReadOnlyError whose Reason names
// what was refused (for example "INSERT statements write",
// "data-modifying WITH clause (DELETE)", "FOR UPDATE takes row locks",
// "2 statements; send one" or "could not parse: <parser message>").
//
// Every error Check returns satisfies errors.Is(err, connectors.ErrReadOnly),
// including parse failures: a statement the guard cannot understand is not
// known to be read-only, so it is refused rather than sent.
func Check(dialect connectors.Dialect, sql string) (err error) {
	defer func() { err = asSyntaxError(dialect, err) }() // runs last: after the recover below
	if len(sql) > MaxStatementBytes {
		return refusef("statement is %d bytes; the limit is %d", len(sql), MaxStatementBytes)
	}
	// C parsers stop at a NUL byte while the text sent to the source may not,
	// so a NUL could hide the rest of the statement from the guard.
	if strings.IndexByte(sql, 0) >= 0 {
		return refusef("statement contains a NUL byte")
	}
	// Invalid UTF-8 is where lexers disagree about token boundaries.
	if !utf8.ValidString(sql) {
		return refusef("statement is not valid UTF-8")
	}
	// A parser panic must never take the API down, and a statement the parser
	// chokes on is not known to be read-only.
	defer func() {
		if r := recover(); r != nil {
			err = refusef("could not parse: parser failed: %v", r)
		}
	}()
	switch dialect {
	case connectors.DialectPostgres, connectors.DialectRedshift:
		return checkPostgres(sql, dialect == connectors.DialectRedshift)
	case connectors.DialectMySQL:
		return checkMySQL(sql)
	}
	if c, ok := classified[dialect]; ok {
		return checkTokens(c.lexer, c.rules, sql)
	}
	return refusef("unknown SQL dialect %q", dialect)
}

// refusef builds the error every refusal returns.
func refusef(format string, args ...any) error {
	return &connectors.ReadOnlyError{Reason: fmt.Sprintf(format, args...)}
}

// countStatements words a wrong statement count the same way in every dialect.
func countStatements(n int) error {
	if n == 0 {
		return refusef("no statement; send one")
	}
	return refusef("%d statements; send one", n)
}
