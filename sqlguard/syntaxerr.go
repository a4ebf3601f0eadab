package sqlguard

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// SyntaxError is a refusal of a statement that is not well-formed SQL to the
// guard: its parser's message, or a first word that starts no statement
// ("SELEC"). It is the user's typo, not a write attempt, so the API answers
// 400 with Message rather than 403. It unwraps to the *connectors.ReadOnlyError
// Check always returned, so errors.Is(err, connectors.ErrReadOnly) still holds
// for every refusal and the statement is never sent.
type SyntaxError struct {
	// Message is the parser's message, or what is wrong with the first word.
	Message string
	refusal *connectors.ReadOnlyError
}

func (e *SyntaxError) Error() string { return e.refusal.Error() }

// Unwrap returns the refusal, which satisfies errors.Is(err, connectors.ErrReadOnly).
func (e *SyntaxError) Unwrap() error { return e.refusal }

// asSyntaxError turns a parse failure's refusal into a *SyntaxError. A
// parser crash is not the user's syntax and stays a refusal.
func asSyntaxError(dialect connectors.Dialect, err error) error {
	var se *SyntaxError
	var ro *connectors.ReadOnlyError
	if errors.As(err, &se) || !errors.As(err, &ro) {
		return err
	}
	msg, ok := strings.CutPrefix(ro.Reason, unparsablePrefix)
	if !ok || strings.HasPrefix(msg, "parser failed") {
		return err
	}
	if dialect == connectors.DialectMySQL {
		// sluice parses MySQL with TiDB's grammar, which lacks some MariaDB syntax.
		msg = "sluice's MySQL parser could not parse the statement: " + msg
	}
	return &SyntaxError{Message: msg, refusal: ro}
}

// typoOfStart returns a *SyntaxError when a statement's first word, which
// neither starts a read nor is a keyword the dialect refuses, is a typo of a
// word that starts a read ("SELEC"), and nil otherwise: these dialects have
// no parser here, and a word far from every read keyword may be a real
// statement of the dialect (FORCE CHECKPOINT), refused as not read-only.
func typoOfStart(first string, r *rules) error {
	near := nearestStart(first, r)
	if near == "" {
		return nil
	}
	msg := fmt.Sprintf("%q does not start a statement; did you mean %s?", first, near)
	return &SyntaxError{Message: msg, refusal: &connectors.ReadOnlyError{Reason: "could not parse: " + msg}}
}

// nearestStart is the start keyword at most two edits from word, if any.
func nearestStart(word string, r *rules) string {
	best, bestDist := "", 3
	for w := range r.starts {
		if d := editDistance(word, w); d < bestDist || (d == bestDist && w < best) {
			best, bestDist = w, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two short ASCII words.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
