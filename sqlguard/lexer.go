package sqlguard

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// tokenKind sorts the tokens the conservative classifier cares about.
type tokenKind int

const (
	tokWord   tokenKind = iota // an unquoted identifier or keyword, upper-cased
	tokString                  // a string literal of any quoting
	tokQuoted                  // a quoted identifier
	tokNumber                  // digits, perhaps with a decimal point
	tokPunct                   // one character: ; ( ) , . and everything else
)

// token is one lexeme. Strings keep no text: what is inside them is never a
// keyword. Quoted identifiers keep theirs, quotes included, and are never
// keywords either.
type token struct {
	kind tokenKind
	text string
}

// dollarQuoting says which dollar-quoted strings a dialect has.
type dollarQuoting int

const (
	dollarNone   dollarQuoting = iota
	dollarPlain                // $$...$$ (Snowflake)
	dollarTagged               // $$...$$ and $tag$...$tag$ (DuckDB, as in Postgres)
)

// lexer describes how one dialect splits text into tokens. It only needs to
// find token boundaries the way the server does; where a dialect's rule is
// uncertain the lexer errs towards seeing more words, never fewer, so that a
// keyword is never hidden inside what the lexer thinks is a string or comment.
type lexer struct {
	hashComments       bool // # starts a comment to the end of the line (BigQuery)
	slashComments      bool // // starts a comment to the end of the line (Snowflake)
	backslashStrings   bool // a backslash escapes the next character in '...' (BigQuery, Snowflake)
	doubleQuoteStrings bool // "..." is a string with backslash escapes, not an identifier (BigQuery)
	tripleQuotes       bool // '''...''' and """...""" (BigQuery)
	brackets           bool // [...] is an identifier, ]] escapes ] (SQL Server)
	backticks          bool // `...` is an identifier with backslash escapes (BigQuery)
	escapeStrings      bool // E'...' has backslash escapes (DuckDB)
	dollars            dollarQuoting
	wordStart          string // characters besides letters and _ that may start a word
	wordChars          string // characters besides letters, digits and _ inside a word
}

// errNestedComment is returned for "/*" inside a block comment: servers
// disagree on whether block comments nest, so the guard cannot know where
// such a comment ends.
var errNestedComment = errors.New(`"/*" inside a block comment (servers disagree on nesting; remove the inner "/*")`)

// tokens splits sql into tokens, dropping whitespace and comments.
func (lx *lexer) tokens(sql string) ([]token, error) {
	var out []token
	for i := 0; i < len(sql); {
		c := sql[i]
		rest := sql[i:]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			i++
		case strings.HasPrefix(rest, "--"),
			lx.hashComments && c == '#',
			lx.slashComments && strings.HasPrefix(rest, "//"):
			// Ending at either line break makes the guard see more
			// text as SQL when a server ends comments only at \n.
			end := strings.IndexAny(rest, "\r\n")
			if end < 0 {
				return out, nil
			}
			i += end + 1
		case strings.HasPrefix(rest, "/*"):
			end := strings.Index(rest[2:], "*/")
			if end < 0 {
				return nil, errors.New("unterminated block comment")
			}
			if strings.Contains(rest[2:2+end], "/*") {
				return nil, errNestedComment
			}
			i += 2 + end + 2
		case c == '\'' || c == '"' && lx.doubleQuoteStrings:
			n, err := lx.quoted(rest, lx.backslashStrings || c == '"')
			if err != nil {
				return nil, err
			}
			out = append(out, token{kind: tokString})
			i += n
		case c == '"' || c == '[' && lx.brackets || c == '`' && lx.backticks:
			n, err := lx.identifier(rest)
			if err != nil {
				return nil, err
			}
			out = append(out, token{kind: tokQuoted, text: rest[:n]})
			i += n
		case c == '$' && lx.dollars != dollarNone && lx.dollarDelimiter(rest) != "":
			delim := lx.dollarDelimiter(rest)
			end := strings.Index(rest[len(delim):], delim)
			if end < 0 {
				return nil, fmt.Errorf("unterminated %s string", delim)
			}
			out = append(out, token{kind: tokString})
			i += len(delim) + end + len(delim)
		case isWordStart(c) || strings.IndexByte(lx.wordStart, c) >= 0:
			n := lx.wordLength(rest)
			word := strings.ToUpper(rest[:n])
			i += n
			// A prefix glued to a quote makes one string: N'..', E'..', r'..', b"..".
			if i < len(sql) && (sql[i] == '\'' || sql[i] == '"' && lx.doubleQuoteStrings) && isStringPrefix(word) {
				m, err := lx.quoted(sql[i:], lx.backslashStrings || sql[i] == '"' || word == "E" && lx.escapeStrings)
				if err != nil {
					return nil, err
				}
				out = append(out, token{kind: tokString})
				i += m
				continue
			}
			out = append(out, token{kind: tokWord, text: word})
		case c >= '0' && c <= '9':
			n := 1
			for n < len(rest) && (rest[n] >= '0' && rest[n] <= '9' || rest[n] == '.') {
				n++
			}
			out = append(out, token{kind: tokNumber, text: rest[:n]})
			i += n
		default:
			// Anything else, including every non-ASCII character, is a
			// token of its own, so it always separates words.
			_, n := utf8.DecodeRuneInString(rest)
			out = append(out, token{kind: tokPunct, text: rest[:n]})
			i += n
		}
	}
	return out, nil
}

// quoted measures a string starting at its opening quote (one of ' or "),
// which a doubled quote or, with backslashes, a backslash escapes.
func (lx *lexer) quoted(s string, backslashes bool) (int, error) {
	q := s[0]
	if lx.tripleQuotes && len(s) >= 3 && s[1] == q && s[2] == q {
		delim := s[:3]
		for i := 3; i < len(s); i++ {
			switch {
			case s[i] == '\\':
				i++
			case strings.HasPrefix(s[i:], delim):
				return i + 3, nil
			}
		}
		return 0, errors.New("unterminated string literal")
	}
	if n := closeQuote(s, q, backslashes); n > 0 {
		return n, nil
	}
	return 0, errors.New("unterminated string literal")
}

// closeQuote returns the length of the quoted text at the start of s, up to
// and including the closing character, or 0 if it is not closed. A doubled
// closing character, or with backslashes any escaped character, does not
// close it.
func closeQuote(s string, closing byte, backslashes bool) int {
	for i := 1; i < len(s); i++ {
		switch {
		case backslashes && s[i] == '\\':
			i++
		case s[i] == closing && i+1 < len(s) && s[i+1] == closing:
			i++
		case s[i] == closing:
			return i + 1
		}
	}
	return 0
}

// identifier measures a quoted identifier: "..." with "" inside, [...] with ]]
// inside, or `...` with backslash escapes.
func (lx *lexer) identifier(s string) (int, error) {
	closing, backslashes := s[0], false
	switch s[0] {
	case '[':
		closing = ']'
	case '`':
		backslashes = true
	}
	if n := closeQuote(s, closing, backslashes); n > 0 {
		return n, nil
	}
	return 0, errors.New("unterminated quoted identifier")
}

// dollarDelimiter returns the $$ or $tag$ that opens a dollar-quoted string at
// the start of s, or "" if s does not start one ($1 is a parameter).
func (lx *lexer) dollarDelimiter(s string) string {
	if strings.HasPrefix(s, "$$") {
		return "$$"
	}
	if lx.dollars != dollarTagged || len(s) < 3 || !isWordStart(s[1]) {
		return ""
	}
	for i := 2; i < len(s); i++ {
		switch {
		case s[i] == '$':
			return s[:i+1]
		case !isWordStart(s[i]) && !(s[i] >= '0' && s[i] <= '9'):
			return ""
		}
	}
	return ""
}

// wordLength measures the word at the start of s.
func (lx *lexer) wordLength(s string) int {
	n := 1
	for n < len(s) {
		c := s[n]
		if !isWordStart(c) && !(c >= '0' && c <= '9') && strings.IndexByte(lx.wordChars, c) < 0 {
			break
		}
		n++
	}
	return n
}

// isWordStart reports whether c is an ASCII letter or underscore.
func isWordStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// isStringPrefix reports whether word, glued to a quote, makes a string:
// national (N), escape (E), bit (B), hex (X), raw and bytes (R, B, RB, BR).
func isStringPrefix(word string) bool {
	switch word {
	case "N", "E", "B", "X", "R", "RB", "BR":
		return true
	}
	return false
}
