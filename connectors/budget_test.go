package connectors

import (
	"strings"
	"testing"
)

func TestCutStringKeepsWholeCharacters(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"abcdef", 3, "abc"}, {"abc", 10, "abc"}, {"ééé", 3, "é"}, {"ééé", 4, "éé"}, {"a😀b", 4, "a"}, {"a😀b", 5, "a😀"}, {"x", 0, ""},
	} {
		if got := CutString(tc.s, tc.n); got != tc.want {
			t.Errorf("CutString(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestResultBuilderReasons(t *testing.T) {
	cols := []ResultColumn{{Name: "s"}}
	b := NewResultBuilder(cols, QueryOptions{MaxRows: 2})
	for i := 0; i < 5 && b.Room(); i++ {
		b.Add([]any{"a"})
	}
	if r := b.Result(); len(r.Rows) != 2 || r.TruncatedReason != TruncatedRows {
		t.Fatalf("rows: %d %q", len(r.Rows), r.TruncatedReason)
	}
	b = NewResultBuilder(cols, QueryOptions{MaxBytes: 1000, MaxValueBytes: 100})
	for i := 0; i < 100 && b.Room(); i++ {
		if !b.Add([]any{strings.Repeat("x", 500)}) {
			break
		}
	}
	r := b.Result()
	if r.TruncatedReason != TruncatedBytes || len(r.Rows) == 0 || len(r.Rows) > 10 || len(r.Rows[0][0].(string)) != 100 {
		t.Fatalf("bytes: %d rows, %q", len(r.Rows), r.TruncatedReason)
	}
	b = NewResultBuilder(cols, QueryOptions{MaxValueBytes: 10})
	b.Add([]any{[]any{"aaaaaa", "bbbbbb", "cccccc"}})
	b.Add([]any{JSON(`{"a":"` + strings.Repeat("z", 50) + `"}`)})
	r = b.Result()
	if r.TruncatedReason != TruncatedValueBytes || len(r.Rows) != 2 || len(r.Rows[0][0].([]any)) != 1 || len(r.Rows[1][0].(JSON)) != 10 {
		t.Fatalf("values: %v %q", r.Rows, r.TruncatedReason)
	}
}
