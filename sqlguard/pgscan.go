package sqlguard

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// maxNesting bounds how deeply a statement may nest before it is parsed.
//
// libpg_query turns its parse tree into protobuf recursively and without a
// stack check, so a left-deep chain of some twenty thousand operators
// (1+1+1+...) overflows the C stack and kills the process; no recover can catch
// that. The Go side would refuse such a tree anyway (protobuf stops unmarshaling
// at 10,000 levels, a few thousand operators), so refusing an estimated depth
// over maxNesting before parsing costs no statement that could have passed.
const maxNesting = 2000

// checkPgTokens looks at the statement's tokens, which the scanner produces
// without recursion, for what must be refused before the parser runs.
func checkPgTokens(sql string) error {
	scan, err := pg_query.Scan(sql)
	if err != nil {
		return refusef("could not parse: %s", pgErrorText(err))
	}
	var depth nestingEstimate
	for _, tok := range scan.GetTokens() {
		if depth.add(tok.GetToken()) > maxNesting {
			return refusef("statement nests more than %d levels deep", maxNesting)
		}
		if tok.GetToken() != pg_query.Token_SCONST {
			continue
		}
		start, end := int(tok.GetStart()), int(tok.GetEnd())
		if start < 0 || end > len(sql) || start >= end {
			continue
		}
		if text := sql[start:end]; text[0] == '\'' && backslashEscapesQuote(text) {
			return refusef("a backslash before a quote in %s reads differently when standard_conforming_strings is off; write '' or E'...'", excerpt(text))
		}
	}
	return nil
}

// nestingEstimate over-estimates the depth of the parse tree from the tokens.
// Each bracket level adds one, and within a level every operator that can
// chain (a+b+c, x::t::t, a UNION b UNION c, a JOIN b JOIN c) adds one, since
// the grammar builds such chains as left-deep trees. Commas, AND, OR and the
// arms of CASE start new subtrees side by side, so they end an operator
// chain; set operations and joins keep counting across them.
//
// Some levels cost libpg_query more stack than an operator does; the weights
// below were measured (with a 1 MiB C stack a chain of about 2,950 operators,
// 980 nested subqueries or 1,470 nested CASEs overflows), so maxNesting is safe
// on any thread stack of 1 MiB or more. Linux gives threads 8 MiB by default.
type nestingEstimate struct {
	levels []levelCount
	total  int
	prev   pg_query.Token
}

type levelCount struct{ base, ops, chains int }

const (
	subqueryWeight = 3 // a bracket that opens a subquery
	caseWeight     = 2 // CASE ... END
)

// add accounts for one token and returns the estimate so far.
func (n *nestingEstimate) add(tok pg_query.Token) int {
	if tok == pg_query.Token_SQL_COMMENT || tok == pg_query.Token_C_COMMENT {
		return n.total
	}
	prev := n.prev
	n.prev = tok
	if len(n.levels) == 0 {
		n.levels = append(n.levels, levelCount{})
	}
	top := &n.levels[len(n.levels)-1]
	switch tok {
	case pg_query.Token_ASCII_40, pg_query.Token_ASCII_91: // ( [
		n.push(1)
	case pg_query.Token_CASE:
		n.push(caseWeight)
	case pg_query.Token_ASCII_41, pg_query.Token_ASCII_93, pg_query.Token_END_P: // ) ] END
		if len(n.levels) > 1 {
			n.total -= top.base + top.ops + top.chains
			n.levels = n.levels[:len(n.levels)-1]
		}
	case pg_query.Token_ASCII_44, pg_query.Token_AND, pg_query.Token_OR,
		pg_query.Token_WHEN, pg_query.Token_THEN, pg_query.Token_ELSE:
		n.total -= top.ops
		top.ops = 0
	case pg_query.Token_UNION, pg_query.Token_INTERSECT, pg_query.Token_EXCEPT, pg_query.Token_JOIN:
		top.chains++
		n.total++
	case pg_query.Token_SELECT, pg_query.Token_WITH, pg_query.Token_VALUES, pg_query.Token_TABLE:
		if prev == pg_query.Token_ASCII_40 && top.base < subqueryWeight {
			n.total += subqueryWeight - top.base
			top.base = subqueryWeight
		}
	default:
		if chainsOperators[tok] {
			top.ops++
			n.total++
		}
	}
	return n.total
}

// push opens a level that costs weight.
func (n *nestingEstimate) push(weight int) {
	n.levels = append(n.levels, levelCount{base: weight})
	n.total += weight
}

// chainsOperators are the tokens whose grammar rules nest to the left.
var chainsOperators = map[pg_query.Token]bool{
	pg_query.Token_ASCII_37: true, pg_query.Token_ASCII_42: true, pg_query.Token_ASCII_43: true,
	pg_query.Token_ASCII_45: true, pg_query.Token_ASCII_47: true, pg_query.Token_ASCII_60: true,
	pg_query.Token_ASCII_61: true, pg_query.Token_ASCII_62: true, pg_query.Token_ASCII_94: true,
	pg_query.Token_Op: true, pg_query.Token_TYPECAST: true, pg_query.Token_LESS_EQUALS: true,
	pg_query.Token_GREATER_EQUALS: true, pg_query.Token_NOT_EQUALS: true,
	pg_query.Token_COLLATE: true, pg_query.Token_AT: true, pg_query.Token_IS: true,
	pg_query.Token_ISNULL: true, pg_query.Token_NOTNULL: true, pg_query.Token_LIKE: true,
	pg_query.Token_ILIKE: true, pg_query.Token_SIMILAR: true, pg_query.Token_BETWEEN: true,
	pg_query.Token_IN_P: true, pg_query.Token_OVERLAPS: true, pg_query.Token_OPERATOR: true,
	pg_query.Token_NOT: true,
}

// backslashEscapesQuote reports whether reading the quoted text with
// backslash escapes would consume one of its quotes.
//
// libpg_query reads strings as a server with standard_conforming_strings on
// does: a backslash is an ordinary character. A server with it off (and
// Redshift, which always treats backslash as an escape) reads \' as a quote
// inside the string, so the string ends elsewhere and the text after it is
// different SQL from what the guard classified. Refusing the one construct
// whose meaning depends on the setting keeps the guard's view and the
// server's the same; 'it”s' and E'it\'s' say the same thing unambiguously.
func backslashEscapesQuote(text string) bool {
	for i := 1; i < len(text); i++ {
		if text[i] == '\\' {
			if i+1 < len(text) && text[i+1] == '\'' {
				return true
			}
			i++ // the escaped character, whatever it is
		}
	}
	return false
}

// excerpt shortens a literal for an error message.
func excerpt(s string) string {
	const most = 40
	if len(s) <= most {
		return s
	}
	return s[:most] + "..."
}
