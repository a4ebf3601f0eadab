package telemetry

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// seriesKey identifies a series: by the SDK's raw metric name in
// temporalCollector.byName and by the family name in temporalCollector.series.
type seriesKey struct {
	kind   metricKind
	name   string
	labels string
}

// nameKey identifies an SDK metric by kind and raw name.
type nameKey struct {
	kind metricKind
	name string
}

// temporalCollector stores every series the SDK has touched and exports them
// at scrape time. It is an unchecked collector: Describe sends nothing, since
// the label names of each family grow as the SDK uses new tags.
type temporalCollector struct {
	mu sync.RWMutex
	// byName is the hot-path index, keyed by raw SDK name.
	byName map[seriesKey]*series
	// series holds each distinct series once, keyed by family name.
	series map[seriesKey]*series
	// familyOf caches the family each SDK metric resolved to.
	familyOf map[nameKey]*family
	// families holds every family by its exported name.
	families map[string]*family
}

// newTemporalCollector returns an empty collector.
func newTemporalCollector() *temporalCollector {
	return &temporalCollector{
		byName:   make(map[seriesKey]*series),
		series:   make(map[seriesKey]*series),
		familyOf: make(map[nameKey]*family),
		families: make(map[string]*family),
	}
}

// lookup returns the series for the SDK metric name of the given kind with
// the labels encoded as key, creating it on first use.
func (c *temporalCollector) lookup(kind metricKind, name, key string, labels []labelPair) *series {
	k := seriesKey{kind: kind, name: name, labels: key}
	c.mu.RLock()
	s := c.byName[k]
	c.mu.RUnlock()
	if s != nil {
		return s
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.byName[k]; s != nil {
		return s
	}
	fam := c.resolveFamily(kind, name)
	canonical := seriesKey{kind: kind, name: fam.name, labels: key}
	s = c.series[canonical]
	if s == nil {
		s = newSeries(fam, labels)
		c.series[canonical] = s
	}
	c.byName[k] = s
	return s
}

// resolveFamily returns the family for the SDK metric name of the given kind.
// Names sanitizing to the same family share it; if that family already has
// another kind, the kind is appended to the name to keep the export valid.
// The caller must hold c.mu for writing.
func (c *temporalCollector) resolveFamily(kind metricKind, name string) *family {
	nk := nameKey{kind: kind, name: name}
	if fam := c.familyOf[nk]; fam != nil {
		return fam
	}
	base := sanitizeMetricName(name) + kind.familySuffix()
	candidate := base
	for i := 1; ; i++ {
		fam := c.families[candidate]
		if fam == nil {
			fam = &family{
				name: candidate,
				kind: kind,
				help: fmt.Sprintf("Temporal Go SDK %s %s.", kind, name),
			}
			if kind == kindTimer {
				fam.help = fmt.Sprintf("Temporal Go SDK timer %s, in seconds.", name)
			}
			c.families[candidate] = fam
		}
		if fam.kind == kind {
			c.familyOf[nk] = fam
			return fam
		}
		candidate = fmt.Sprintf("%s_%s", base, kind)
		if i > 1 {
			candidate = fmt.Sprintf("%s_%s_%d", base, kind, i)
		}
	}
}

// Describe sends nothing, which makes the collector unchecked.
func (c *temporalCollector) Describe(chan<- *prometheus.Desc) {}

// Collect exports every series, each family with the union of the label
// names seen for it.
func (c *temporalCollector) Collect(ch chan<- prometheus.Metric) {
	groups := make(map[*family][]*series)
	c.mu.RLock()
	for _, s := range c.series {
		groups[s.family] = append(groups[s.family], s)
	}
	c.mu.RUnlock()
	for fam, members := range groups {
		collectFamily(ch, fam, members)
	}
}

// collectFamily exports the members of fam, filling labels a member lacks
// with the empty string.
func collectFamily(ch chan<- prometheus.Metric, fam *family, members []*series) {
	union := make(map[string]struct{})
	for _, s := range members {
		for _, l := range s.labels {
			union[l.name] = struct{}{}
		}
	}
	names := slices.Sorted(maps.Keys(union))
	desc := prometheus.NewDesc(fam.name, fam.help, names, nil)
	for _, s := range members {
		m, err := constMetric(desc, fam.kind, s, labelValues(names, s.labels))
		if err != nil {
			err = fmt.Errorf("telemetry: export Temporal metric %s: %w", fam.name, err)
			m = prometheus.NewInvalidMetric(desc, err)
		}
		ch <- m
	}
}

// labelValues returns the value of each of names in labels, or "" where
// labels lacks it. Both slices are sorted by name.
func labelValues(names []string, labels []labelPair) []string {
	values := make([]string, len(names))
	j := 0
	for i, name := range names {
		if j < len(labels) && labels[j].name == name {
			values[i] = labels[j].value
			j++
		}
	}
	return values
}

// constMetric snapshots s as a Prometheus metric of the given kind.
func constMetric(desc *prometheus.Desc, kind metricKind, s *series, values []string) (prometheus.Metric, error) {
	switch kind {
	case kindCounter:
		return prometheus.NewConstMetric(desc, prometheus.CounterValue, float64(s.counter.Load()), values...)
	case kindGauge:
		v := math.Float64frombits(s.gauge.Load())
		return prometheus.NewConstMetric(desc, prometheus.GaugeValue, v, values...)
	default:
		count, sum, buckets := s.hist.snapshot()
		return prometheus.NewConstHistogram(desc, count, sum, buckets, values...)
	}
}
