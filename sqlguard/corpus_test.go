package sqlguard

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// attempt is a statement the guard must refuse, with a pattern its reason
// must match.
type attempt struct {
	sql    string
	reason string
	// literal marks statements whose meaning depends on exact quoting (the
	// backslash cases), which the variant generator must not touch.
	literal bool
}

// write builds an attempt; lit builds one that is used only as written.
func write(sql, reason string) attempt { return attempt{sql: sql, reason: reason} }
func lit(sql, reason string) attempt   { return attempt{sql: sql, reason: reason, literal: true} }

// variant is one spelling of a corpus statement.
type variant struct{ name, sql string }

// variants spells sql as written, with its keywords (the upper-case words) in
// lower and mixed case, with tabs, newlines or comments for its spaces, with
// the spaces around punctuation removed, and wrapped in comments. Only the
// code is changed: text inside quotes, dollar quotes and comments is kept.
func variants(sql string) []variant {
	return []variant{
		{"as written", sql},
		{"lower case", mapCode(sql, func(s string) string { return keyword.ReplaceAllStringFunc(s, strings.ToLower) })},
		{"mixed case", mapCode(sql, func(s string) string { return keyword.ReplaceAllStringFunc(s, mixedCase) })},
		{"tabs", mapCode(sql, func(s string) string { return strings.ReplaceAll(s, " ", "\t") })},
		{"newlines", mapCode(sql, func(s string) string { return strings.ReplaceAll(s, " ", "\n  \r\n") })},
		{"block comments", mapCode(sql, func(s string) string { return strings.ReplaceAll(s, " ", "/* x */") })},
		{"line comments", mapCode(sql, func(s string) string { return strings.ReplaceAll(s, " ", " -- x\n") })},
		{"no spaces", mapCode(sql, func(s string) string { return aroundPunct.ReplaceAllString(s, "$1") })},
		{"wrapped", "/* leading */\n\t" + sql + "\n-- trailing"},
	}
}

var (
	keyword     = regexp.MustCompile(`\b[A-Z][A-Z_]*\b`)
	aroundPunct = regexp.MustCompile(` *([(),;=]) *`)
	// nonCode finds what variants leave alone: quoted text, dollar-quoted
	// text and comments (# too, which only the MySQL corpus uses).
	nonCode = regexp.MustCompile(`'[^']*'|"[^"]*"|` + "`[^`]*`" + `|\[[^\]]*\]|\$\$[\s\S]*?\$\$|\$a\$[\s\S]*?\$a\$|--[^\n]*|#[^\n]*|/\*[\s\S]*?\*/`)
)

// mapCode applies f to the parts of sql outside quotes and comments.
func mapCode(sql string, f func(string) string) string {
	var b strings.Builder
	last := 0
	for _, m := range nonCode.FindAllStringIndex(sql, -1) {
		b.WriteString(f(sql[last:m[0]]))
		b.WriteString(sql[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(f(sql[last:]))
	return b.String()
}

// mixedCase alternates the case of a word's letters: SeLeCt.
func mixedCase(w string) string {
	b := []byte(strings.ToLower(w))
	for i := 0; i < len(b); i += 2 {
		b[i] = strings.ToUpper(string(b[i]))[0]
	}
	return string(b)
}

// spellings returns every spelling of each attempt that the guard must refuse.
func spellings(attempts []attempt) []attempt {
	var out []attempt
	for _, a := range attempts {
		if a.literal {
			out = append(out, a)
			continue
		}
		for _, v := range variants(a.sql) {
			out = append(out, attempt{sql: v.sql, reason: a.reason, literal: true})
		}
	}
	return out
}

// readSpellings returns every spelling of each read that the guard must accept.
func readSpellings(reads []string) []string {
	var out []string
	for _, r := range reads {
		for _, v := range variants(r) {
			out = append(out, v.sql)
		}
	}
	return out
}

// checkCorpus runs a dialect's corpus through Check: every spelling of every
// write attempt is refused for the expected reason, and every spelling of
// every read is accepted.
func checkCorpus(t *testing.T, dialect connectors.Dialect, writes []attempt, reads []string) {
	t.Helper()
	for _, a := range spellings(writes) {
		err := Check(dialect, a.sql)
		var roErr *connectors.ReadOnlyError
		switch {
		case err == nil:
			t.Errorf("%s accepted a write attempt:\n%s", dialect, a.sql)
		case !errors.As(err, &roErr) || !errors.Is(err, connectors.ErrReadOnly):
			t.Errorf("%s: %q: error is %T, not a *connectors.ReadOnlyError", dialect, a.sql, err)
		case !regexp.MustCompile(a.reason).MatchString(roErr.Reason):
			t.Errorf("%s refused\n%s\nwith reason %q; want one matching %q", dialect, a.sql, roErr.Reason, a.reason)
		}
	}
	for _, r := range readSpellings(reads) {
		if err := Check(dialect, r); err != nil {
			t.Errorf("%s refused a read:\n%s\n%v", dialect, r, err)
		}
	}
}
