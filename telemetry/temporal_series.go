package telemetry

import (
	"sort"
	"sync"
	"sync/atomic"
)

// metricKind is the kind of SDK metric a series records.
type metricKind uint8

const (
	kindCounter metricKind = iota
	kindGauge
	kindTimer
)

// String returns the kind's name as used in family names and help texts.
func (k metricKind) String() string {
	switch k {
	case kindCounter:
		return "counter"
	case kindGauge:
		return "gauge"
	default:
		return "timer"
	}
}

// familySuffix is appended to the sanitized SDK name to form the family name.
func (k metricKind) familySuffix() string {
	if k == kindTimer {
		return "_seconds"
	}
	return ""
}

// timerBuckets are the histogram upper bounds, in seconds, for SDK timers.
var timerBuckets = [...]float64{
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
	1, 2.5, 5, 10, 30, 60,
}

// family describes one exported metric family.
type family struct {
	name string
	kind metricKind
	help string
}

// series is one metric family plus one set of labels. Only the field matching
// the family's kind is used; counters and gauges are updated atomically.
type series struct {
	family  *family
	labels  []labelPair
	counter atomic.Int64
	gauge   atomic.Uint64 // math.Float64bits of the value
	hist    *histogram    // non-nil for timers only
}

// newSeries returns an empty series of fam's kind with the given labels.
func newSeries(fam *family, labels []labelPair) *series {
	s := &series{family: fam, labels: labels}
	if fam.kind == kindTimer {
		s.hist = &histogram{}
	}
	return s
}

// histogram accumulates observations in timerBuckets. A mutex rather than
// separate atomics keeps count, sum and buckets consistent with each other.
type histogram struct {
	mu     sync.Mutex
	counts [len(timerBuckets)]uint64 // per bucket, not cumulative
	count  uint64
	sum    float64
}

// observe records one value in seconds.
func (h *histogram) observe(v float64) {
	// The first bound >= v is the bucket whose "le" admits v.
	i := sort.SearchFloat64s(timerBuckets[:], v)
	h.mu.Lock()
	if i < len(h.counts) {
		h.counts[i]++
	}
	h.count++
	h.sum += v
	h.mu.Unlock()
}

// snapshot returns the count, the sum and the cumulative bucket counts in the
// form prometheus.NewConstHistogram expects.
func (h *histogram) snapshot() (uint64, float64, map[float64]uint64) {
	h.mu.Lock()
	counts, count, sum := h.counts, h.count, h.sum
	h.mu.Unlock()
	buckets := make(map[float64]uint64, len(timerBuckets))
	var cumulative uint64
	for i, bound := range timerBuckets {
		cumulative += counts[i]
		buckets[bound] = cumulative
	}
	return count, sum, buckets
}
