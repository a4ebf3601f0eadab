package activities

import (
	"testing"
	"time"
)

// TestPendingKeysFindEachKeysLastRow: integer keys by value, other keys
// (text, several columns, instants in any zone) by their encoding, with no
// key found under another's row.
func TestPendingKeysFindEachKeysLastRow(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	keys := [][]any{
		{int64(7)}, {int64(-7)}, {"7"}, {"a"}, {"a", int64(1)}, {"a", int64(2)}, {"b", int64(1)},
		{at}, {int64(7), "x"},
	}
	p := newPendingKeys()
	for row, k := range keys {
		if _, had := p.find(k); had {
			t.Fatalf("key %v found before it was set", k)
		}
		p.set(k, row)
	}
	p.set([]any{"a", int64(2)}, 100) // a later change of a key
	want := map[int]int{5: 100}
	for row, k := range keys {
		exp := row
		if w, ok := want[row]; ok {
			exp = w
		}
		if got, had := p.find(k); !had || got != exp {
			t.Errorf("find(%v) = %d, %v; want %d", k, got, had, exp)
		}
	}
	if got, had := p.find([]any{at.In(time.FixedZone("x", 3600))}); !had || got != 7 {
		t.Errorf("an instant in another zone: %d, %v; want row 7", got, had)
	}
	if p.len() != len(keys) {
		t.Errorf("len = %d, want %d", p.len(), len(keys))
	}
	p.clear()
	if _, had := p.find([]any{int64(7)}); had || p.len() != 0 {
		t.Errorf("a key found after clear")
	}
}
