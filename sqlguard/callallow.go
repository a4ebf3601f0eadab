package sqlguard

import "strings"

// callRefusal applies a classified dialect's allowlist (rules.allowed, nil
// for a dialect without one) to the call at toks[i], a word or quoted name
// followed by "(" that the deny list let through. A name on the allowlist,
// or one the deny list's own allow entries name, is a call that may run; an
// unquoted keyword or type name is grammar (CAST(, DECIMAL(10, 2)); a name
// that lists columns (AS t(a, b), WITH t(a) AS (...)) is no call at all.
// Anything else is refused with its name.
func (r *rules) callRefusal(toks []token, i int, name string) error {
	if r.allowed == nil {
		return nil
	}
	lower := strings.ToLower(name)
	switch {
	case r.allowed[lower], r.funcs.allow[lower]:
		return nil
	case toks[i].kind == tokWord && r.notCalls[lower]:
		return nil
	case r.namesColumns(toks, i):
		return nil
	}
	return refusef("function %s is not on the allowlist of read-only functions", lower)
}

// namesColumns reports whether the name at toks[i], followed by "(", is a
// table or CTE name with its column list rather than a call: after AS (an
// alias's columns), after a name that is not a keyword or after a closing
// bracket (FROM t x(a), FROM range(3) x(a): an alias without AS), or
// followed after its closing bracket by AS and the CTE's body. No call
// directly follows a plain name or a closing bracket.
func (r *rules) namesColumns(toks []token, i int) bool {
	if i > 0 {
		switch prev := toks[i-1]; {
		case prev.kind == tokWord && (prev.text == "AS" || !r.notCalls[strings.ToLower(prev.text)]),
			prev.kind == tokQuoted,
			prev.kind == tokPunct && prev.text == ")":
			return true
		}
	}
	closing := matchingBracket(toks, i+1)
	if closing < 0 {
		return false
	}
	as, body := tokenAt(toks, closing+1), tokenAt(toks, closing+2)
	return as.kind == tokWord && as.text == "AS" &&
		(body.kind == tokPunct && body.text == "(" || body.kind == tokWord && (body.text == "MATERIALIZED" || body.text == "NOT"))
}

// matchingBracket returns the index of the ")" that closes the "(" at
// toks[open], or -1.
func matchingBracket(toks []token, open int) int {
	depth := 0
	for j := open; j < len(toks); j++ {
		if toks[j].kind != tokPunct {
			continue
		}
		switch toks[j].text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}
