package telemetry

import (
	"maps"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.temporal.io/sdk/client"
)

// gather collects reg and indexes the families by name.
func gather(t *testing.T, reg *prometheus.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	byName := make(map[string]*dto.MetricFamily, len(mfs))
	for _, mf := range mfs {
		byName[mf.GetName()] = mf
	}
	return byName
}

// mustFamily returns the named family or fails the test.
func mustFamily(t *testing.T, mfs map[string]*dto.MetricFamily, name string, typ dto.MetricType) *dto.MetricFamily {
	t.Helper()
	mf, ok := mfs[name]
	if !ok {
		t.Fatalf("family %q missing; have %v", name, slices.Sorted(maps.Keys(mfs)))
	}
	if mf.GetType() != typ {
		t.Fatalf("family %q has type %v, want %v", name, mf.GetType(), typ)
	}
	return mf
}

// labels returns a metric's labels as a map, empty values included.
func labels(m *dto.Metric) map[string]string {
	out := make(map[string]string, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// find returns the metric of mf whose labels equal want.
func find(t *testing.T, mf *dto.MetricFamily, want map[string]string) *dto.Metric {
	t.Helper()
	for _, m := range mf.GetMetric() {
		got := labels(m)
		if len(got) != len(want) {
			continue
		}
		match := true
		for k, v := range want {
			if g, ok := got[k]; !ok || g != v {
				match = false
			}
		}
		if match {
			return m
		}
	}
	t.Fatalf("family %q has no series %v", mf.GetName(), want)
	return nil
}

func TestTemporalMetricsExport(t *testing.T) {
	reg := prometheus.NewRegistry()
	root := NewTemporalMetrics(reg).WithTags(map[string]string{"namespace": "default"})

	root.WithTags(map[string]string{"operation": "StartWorkflowExecution"}).Counter("temporal_request").Inc(2)
	root.WithTags(map[string]string{"operation": "StartWorkflowExecution"}).Counter("temporal_request").Inc(3)
	root.Counter("temporal_request").Inc(1)
	root.Counter("temporal_request").Inc(-4) // ignored: counters only go up

	pollers := root.WithTags(map[string]string{"poller_type": "workflow_task"}).Gauge("temporal_num_pollers")
	pollers.Update(3)
	pollers.Update(5)

	latency := root.Timer("temporal_request_latency")
	latency.Record(3 * time.Millisecond)
	latency.Record(2 * time.Second)
	latency.Record(90 * time.Second)

	mfs := gather(t, reg)
	if len(mfs) != 3 {
		t.Errorf("got %d families, want 3", len(mfs))
	}

	requests := mustFamily(t, mfs, "temporal_request", dto.MetricType_COUNTER)
	if n := len(requests.GetMetric()); n != 2 {
		t.Fatalf("temporal_request has %d series, want 2", n)
	}
	tagged := find(t, requests, map[string]string{"namespace": "default", "operation": "StartWorkflowExecution"})
	if v := tagged.GetCounter().GetValue(); v != 5 {
		t.Errorf("tagged temporal_request = %v, want 5", v)
	}
	// The untagged series carries the union's "operation" label, empty.
	untagged := find(t, requests, map[string]string{"namespace": "default", "operation": ""})
	if v := untagged.GetCounter().GetValue(); v != 1 {
		t.Errorf("untagged temporal_request = %v, want 1", v)
	}

	gauge := mustFamily(t, mfs, "temporal_num_pollers", dto.MetricType_GAUGE)
	g := find(t, gauge, map[string]string{"namespace": "default", "poller_type": "workflow_task"})
	if v := g.GetGauge().GetValue(); v != 5 {
		t.Errorf("temporal_num_pollers = %v, want 5", v)
	}

	hist := mustFamily(t, mfs, "temporal_request_latency_seconds", dto.MetricType_HISTOGRAM)
	h := find(t, hist, map[string]string{"namespace": "default"}).GetHistogram()
	if h.GetSampleCount() != 3 {
		t.Errorf("histogram count = %d, want 3", h.GetSampleCount())
	}
	if want := 92.003; math.Abs(h.GetSampleSum()-want) > 1e-9 {
		t.Errorf("histogram sum = %v, want %v", h.GetSampleSum(), want)
	}
	wantBuckets := map[float64]uint64{0.001: 0, 0.005: 1, 1: 1, 2.5: 2, 60: 2}
	for _, b := range h.GetBucket() {
		if want, ok := wantBuckets[b.GetUpperBound()]; ok && b.GetCumulativeCount() != want {
			t.Errorf("bucket le=%v = %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
		}
	}
	if n := len(h.GetBucket()); n != len(timerBuckets) {
		t.Errorf("histogram has %d buckets, want %d", n, len(timerBuckets))
	}
}

func TestTemporalMetricsWithTags(t *testing.T) {
	reg := prometheus.NewRegistry()
	base := NewTemporalMetrics(reg).WithTags(map[string]string{"namespace": "a", "task_queue": "q"})

	base.WithTags(map[string]string{"namespace": "b"}).Counter("c").Inc(1)  // overrides
	base.WithTags(map[string]string{"task_queue": ""}).Counter("c").Inc(10) // removes
	base.WithTags(nil).Counter("c").Inc(100)

	c := mustFamily(t, gather(t, reg), "c", dto.MetricType_COUNTER)
	for want, lbls := range map[float64]map[string]string{
		1:   {"namespace": "b", "task_queue": "q"},
		10:  {"namespace": "a", "task_queue": ""},
		100: {"namespace": "a", "task_queue": "q"},
	} {
		if v := find(t, c, lbls).GetCounter().GetValue(); v != want {
			t.Errorf("series %v = %v, want %v", lbls, v, want)
		}
	}
}

func TestTemporalMetricsSanitizes(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := NewTemporalMetrics(reg)

	h.WithTags(map[string]string{"bad-key": "caf\xe9", "2nd": "x", "__name": "y", "le": "z"}).
		Counter("sluice.custom-metric").Inc(1)
	h.Counter("1st").Inc(1)
	// Same name as the counter above: the gauge is renamed, not dropped.
	h.Gauge("sluice.custom-metric").Update(7)

	mfs := gather(t, reg)
	c := mustFamily(t, mfs, "sluice_custom_metric", dto.MetricType_COUNTER)
	find(t, c, map[string]string{"bad_key": "caf\uFFFD", "_2nd": "x", "tag___name": "y", "tag_le": "z"})
	mustFamily(t, mfs, "_1st", dto.MetricType_COUNTER)
	g := mustFamily(t, mfs, "sluice_custom_metric_gauge", dto.MetricType_GAUGE)
	if v := find(t, g, map[string]string{}).GetGauge().GetValue(); v != 7 {
		t.Errorf("renamed gauge = %v, want 7", v)
	}
}

func TestTemporalMetricsConcurrent(t *testing.T) {
	const goroutines, incs = 32, 2000
	reg := prometheus.NewRegistry()
	root := NewTemporalMetrics(reg)

	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Half the goroutines share a tag set; all share the name.
			h := root
			if g%2 == 0 {
				h = root.WithTags(map[string]string{"worker": "even"})
			}
			for i := range incs {
				h.Counter("temporal_request").Inc(1)
				h.WithTags(map[string]string{"operation": "Poll"}).Timer("temporal_request_latency").Record(time.Millisecond)
				if i%500 == 0 {
					if _, err := reg.Gather(); err != nil {
						t.Errorf("gather during updates: %v", err)
					}
				}
			}
		}()
	}
	wg.Wait()

	mfs := gather(t, reg)
	var total float64
	for _, m := range mustFamily(t, mfs, "temporal_request", dto.MetricType_COUNTER).GetMetric() {
		total += m.GetCounter().GetValue()
	}
	if want := float64(goroutines * incs); total != want {
		t.Errorf("temporal_request total = %v, want %v", total, want)
	}
	var count uint64
	for _, m := range mustFamily(t, mfs, "temporal_request_latency_seconds", dto.MetricType_HISTOGRAM).GetMetric() {
		count += m.GetHistogram().GetSampleCount()
	}
	if want := uint64(goroutines * incs); count != want {
		t.Errorf("temporal_request_latency_seconds count = %d, want %d", count, want)
	}
}

func TestTemporalMetricsImplementsHandler(t *testing.T) {
	var h client.MetricsHandler = NewTemporalMetrics(prometheus.NewRegistry())
	if h.WithTags(nil) != h {
		t.Error("WithTags(nil) should return the handler itself")
	}
}
