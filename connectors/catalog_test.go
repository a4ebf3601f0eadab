package connectors

import (
	"strings"
	"testing"
)

// TestIntegerFieldSaysWhatItAccepts: "5432" is accepted, so a message that
// said "must be a non-negative integer, got a string" for "abc" misled.
func TestIntegerFieldSaysWhatItAccepts(t *testing.T) {
	for _, ok := range []any{"5432", float64(5432), " 5432 "} {
		if _, err := coerceInteger(ok); err != nil {
			t.Errorf("coerceInteger(%#v): %v", ok, err)
		}
	}
	_, err := coerceInteger("abc")
	if err == nil {
		t.Fatal(`coerceInteger("abc") accepted it`)
	}
	for _, want := range []string{`"5432"`, `got "abc"`, "whole number"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %s", err, want)
		}
	}
}
