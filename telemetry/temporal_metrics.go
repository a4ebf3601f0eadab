// Package telemetry exports sluice's operational metrics to Prometheus. It
// currently adapts the Temporal Go SDK's metrics to a Prometheus registry so
// that client and worker metrics appear on sluice's /metrics endpoint.
package telemetry

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// NewTemporalMetrics returns a client.MetricsHandler whose metrics are exported through reg.
//
// Pass the handler as client.Options.MetricsHandler; workers created from that
// client inherit it. Counters keep the SDK's (sanitized) metric names, gauges
// likewise, and timers become histograms in seconds named "<name>_seconds".
// Every family is exported with the union of the tag names the SDK has used
// for it, with an empty value where a series lacks a tag.
//
// The handler registers one unchecked collector on reg, so it must be called
// once per registry and the returned handler shared; reg must not be nil. It
// panics if reg refuses the collector, as prometheus.MustRegister does.
func NewTemporalMetrics(reg prometheus.Registerer) client.MetricsHandler {
	c := newTemporalCollector()
	if err := reg.Register(c); err != nil {
		panic(fmt.Errorf("telemetry: register Temporal SDK metrics collector: %w", err))
	}
	return &temporalHandler{c: c}
}

// temporalHandler implements client.MetricsHandler. It is immutable: WithTags
// returns a new handler, so a handler may be shared between goroutines.
type temporalHandler struct {
	c *temporalCollector
	// tags maps sanitized label names to sanitized, non-empty values.
	tags map[string]string
	// labels holds tags sorted by name, shared by every series created here.
	labels []labelPair
	// key is the encoded form of labels, precomputed for series look-ups.
	key string
}

var _ client.MetricsHandler = (*temporalHandler)(nil)

// labelPair is one sanitized label name and value.
type labelPair struct {
	name  string
	value string
}

// WithTags returns a handler whose metrics carry the receiver's tags merged
// with tags; a key present in both takes the new value, and a tag with an
// empty value removes the label, since Prometheus treats the two alike.
func (h *temporalHandler) WithTags(tags map[string]string) client.MetricsHandler {
	if len(tags) == 0 {
		return h
	}
	merged := make(map[string]string, len(h.tags)+len(tags))
	maps.Copy(merged, h.tags)
	// Apply raw keys in sorted order so that keys sanitizing to the same
	// label name resolve the same way every time.
	for _, raw := range slices.Sorted(maps.Keys(tags)) {
		name := sanitizeLabelName(raw)
		if value := sanitizeLabelValue(tags[raw]); value != "" {
			merged[name] = value
		} else {
			delete(merged, name)
		}
	}
	labels := make([]labelPair, 0, len(merged))
	var key strings.Builder
	for _, name := range slices.Sorted(maps.Keys(merged)) {
		labels = append(labels, labelPair{name: name, value: merged[name]})
		// Names are ASCII and values valid UTF-8, so neither can contain
		// the bytes 0xfe and 0xff used as separators here.
		key.WriteString(name)
		key.WriteByte(0xfe)
		key.WriteString(merged[name])
		key.WriteByte(0xff)
	}
	return &temporalHandler{c: h.c, tags: merged, labels: labels, key: key.String()}
}

// Counter returns the counter named name with the handler's tags.
func (h *temporalHandler) Counter(name string) client.MetricsCounter {
	return (*counterSeries)(h.c.lookup(kindCounter, name, h.key, h.labels))
}

// Gauge returns the gauge named name with the handler's tags.
func (h *temporalHandler) Gauge(name string) client.MetricsGauge {
	return (*gaugeSeries)(h.c.lookup(kindGauge, name, h.key, h.labels))
}

// Timer returns the timer named name with the handler's tags. It is exported
// as the histogram "<name>_seconds".
func (h *temporalHandler) Timer(name string) client.MetricsTimer {
	return (*timerSeries)(h.c.lookup(kindTimer, name, h.key, h.labels))
}

// counterSeries is a series seen through the client.MetricsCounter interface.
type counterSeries series

// Inc adds d to the counter. Non-positive increments are ignored because
// Prometheus counters only go up.
func (c *counterSeries) Inc(d int64) {
	if d > 0 {
		c.counter.Add(d)
	}
}

// gaugeSeries is a series seen through the client.MetricsGauge interface.
type gaugeSeries series

// Update sets the gauge to v.
func (g *gaugeSeries) Update(v float64) {
	g.gauge.Store(math.Float64bits(v))
}

// timerSeries is a series seen through the client.MetricsTimer interface.
type timerSeries series

// Record adds d, in seconds, to the timer's histogram. Negative durations
// are recorded as zero.
func (t *timerSeries) Record(d time.Duration) {
	t.hist.observe(max(d, 0).Seconds())
}
