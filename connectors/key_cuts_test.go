package connectors

import (
	"slices"
	"testing"
)

// TestEvenCuts: inner bounds, evenly spaced, never repeated, fewer when
// the histogram has fewer buckets than parts.
func TestEvenCuts(t *testing.T) {
	hundred := make([]int64, 101)
	for i := range hundred {
		hundred[i] = int64(i * 10)
	}
	for _, tc := range []struct {
		bounds []int64
		n      int
		want   []int64
	}{
		{hundred, 4, []int64{250, 500, 750}},
		{[]int64{1, 2, 3}, 2, []int64{2}},
		{[]int64{1, 2, 3}, 8, []int64{2}},
		{[]int64{1, 5, 5, 5, 9}, 4, []int64{5}},
	} {
		if got := EvenCuts(tc.bounds, tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("EvenCuts(%v, %d) = %v, want %v", tc.bounds, tc.n, got, tc.want)
		}
	}
}
