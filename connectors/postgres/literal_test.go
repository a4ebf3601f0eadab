package postgres

import (
	"math"
	"testing"
)

// TestInlineArgsOnePass checks that a substituted value is never scanned for
// placeholders again, that quoted identifiers keep a "$1" in their name, and
// that strings are E'...' literals with backslashes and quotes doubled.
func TestInlineArgsOnePass(t *testing.T) {
	got, err := inlineArgs(`SELECT "a$1" FROM t WHERE (k, j) > ($1, $2) AND x = $10`,
		[]any{"$2", `it's \'`, 3, 4, 5, 6, 7, 8, 9, math.NaN()})
	if err != nil {
		t.Fatal(err)
	}
	want := `SELECT "a$1" FROM t WHERE (k, j) > (E'$2', E'it''s \\''') AND x = E'NaN'`
	if got != want {
		t.Fatalf("inlineArgs:\n got %s\nwant %s", got, want)
	}
	if _, err := inlineArgs("SELECT $3", []any{1}); err == nil {
		t.Fatal("a placeholder without a value was accepted")
	}
}
