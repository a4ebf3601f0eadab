package activities

import (
	"math"
	"testing"
)

// TestKeyRangesCoverEveryKeyOnce: the ranges are open at both ends, meet
// without gap or overlap, and there are never more than keys to split.
func TestKeyRangesCoverEveryKeyOnce(t *testing.T) {
	for _, tc := range []struct {
		lo, hi, n int64
		want      int
	}{
		{1, 5_000_000, 4, 4},
		{-100, 100, 3, 3},
		{10, 12, 8, 2},
		{7, 7, 4, 0},
		{math.MinInt64, math.MaxInt64, 64, 64},
	} {
		ranges := keyRanges(tc.lo, tc.hi, tc.n)
		if len(ranges) != tc.want {
			t.Fatalf("keyRanges(%d, %d, %d) = %d ranges, want %d", tc.lo, tc.hi, tc.n, len(ranges), tc.want)
		}
		if len(ranges) == 0 {
			continue
		}
		if ranges[0].After != nil || ranges[len(ranges)-1].UpTo != nil {
			t.Fatalf("keyRanges(%d, %d, %d): the ends are not open: %+v", tc.lo, tc.hi, tc.n, ranges)
		}
		for i := 1; i < len(ranges); i++ {
			prev, r := ranges[i-1], ranges[i]
			if prev.UpTo == nil || r.After == nil || *prev.UpTo != *r.After || (prev.After != nil && *prev.After >= *prev.UpTo) {
				t.Fatalf("keyRanges(%d, %d, %d): range %d does not start where %d ends: %+v", tc.lo, tc.hi, tc.n, i, i-1, ranges)
			}
		}
	}
}
