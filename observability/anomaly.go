package observability

import (
	"math"
	"slices"
)

// Anomaly detection parameters: a value is flagged when it lies outside
// median ± AnomalyK × σ̂ of the last AnomalyHistory values of its series, where
// σ̂ = 1.4826 × MAD estimates the standard deviation robustly (one wild value
// in the history does not widen the band). Series with fewer than
// AnomalyMinHistory earlier values are not judged.
const (
	AnomalyHistory    = 30
	AnomalyMinHistory = 5
	AnomalyK          = 5.0
)

// madToSigma scales a median absolute deviation to a standard deviation for
// normally distributed data; meanADToSigma does the same for a mean absolute
// deviation.
const (
	madToSigma    = 1.4826
	meanADToSigma = 1.2533
)

// Band is the range of values a series' history makes unsurprising.
type Band struct {
	Median float64
	MAD    float64
	Lower  float64
	Upper  float64
}

// Contains reports whether v lies within the band (bounds included).
func (b Band) Contains(v float64) bool { return v >= b.Lower && v <= b.Upper }

// NewBand computes the band of history with k robust standard deviations each
// side of the median. It returns false when history is too short to judge.
// When more than half the history is one value (MAD = 0), the mean absolute
// deviation stands in, so rare past variation still widens the band; a
// perfectly constant history makes any other value an anomaly.
func NewBand(history []float64, k float64) (Band, bool) {
	if len(history) < AnomalyMinHistory {
		return Band{}, false
	}
	median := medianOf(history)
	deviations := make([]float64, len(history))
	var sumDev float64
	for i, v := range history {
		deviations[i] = math.Abs(v - median)
		sumDev += deviations[i]
	}
	mad := medianOf(deviations)
	sigma := madToSigma * mad
	if sigma == 0 {
		sigma = meanADToSigma * sumDev / float64(len(history))
	}
	return Band{Median: median, MAD: mad, Lower: median - k*sigma, Upper: median + k*sigma}, true
}

// medianOf returns the median of values without reordering them.
func medianOf(values []float64) float64 {
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
