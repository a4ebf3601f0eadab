package connectors

// EvenCuts picks n-1 evenly spaced inner values of ascending histogram
// bounds (the first and last bound are the column's min and max), without
// repeats: fewer when the histogram has fewer buckets than n.
func EvenCuts(bounds []int64, n int) []int64 {
	buckets := len(bounds) - 1
	var cuts []int64
	for i := 1; i < n; i++ {
		b := bounds[i*buckets/n]
		if i*buckets/n == 0 || i*buckets/n == buckets || (len(cuts) > 0 && b <= cuts[len(cuts)-1]) {
			continue
		}
		cuts = append(cuts, b)
	}
	return cuts
}
