package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/alerts"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/internal/testenv"
)

// BenchmarkAlertDelivery emits 5,000 task_run.failed events at 1,000 a
// second through a rule to a local receiver (the emitter's own call, as an
// activity makes it, from eight goroutines) and prints the latency from each event to its arrival:
// p50, p99 and the worst, and whether the receiver kept up.
func BenchmarkAlertDelivery(b *testing.B) {
	const events, rate = 5000, 1000
	for i := 0; i < b.N; i++ {
		env := alertEnvB(b)
		token := env.Token(b, "acme")
		var mu sync.Mutex
		var latencies []time.Duration
		rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			var m alerts.Message
			if json.Unmarshal(body, &m) == nil {
				mu.Lock()
				latencies = append(latencies, time.Since(m.OccurredAt))
				mu.Unlock()
			}
		}))
		channel := obsPost(b, env, token, "/v1/api/alerts/channels", map[string]any{"name": "hook", "type": "webhook", "url": rx.URL}, http.StatusCreated)["id"]
		obsPost(b, env, token, "/v1/api/alerts/rules", map[string]any{"name": "failures", "event": "task_run.failed", "channel_id": channel}, http.StatusCreated)
		var team uuid.UUID
		if err := env.Pool.QueryRow(context.Background(), "SELECT id FROM teams WHERE name = 'acme'").Scan(&team); err != nil {
			b.Fatal(err)
		}
		q := db.New(env.Pool)
		// Emitters are concurrent in sluice (activities, API requests): eight
		// goroutines take the paced events.
		start := time.Now()
		due := make(chan int)
		var emitters sync.WaitGroup
		for range 8 {
			emitters.Go(func() {
				for n := range due {
					if _, err := alerts.Emit(context.Background(), q, alerts.Event{TeamID: team, Kind: alerts.TaskRunFailed,
						DedupKey: fmt.Sprintf("bench:%d", n), Summary: "bench", App: "etl", OccurredAt: time.Now()}); err != nil {
						b.Error(err)
					}
				}
			})
		}
		for n := 0; n < events; n++ {
			if wait := time.Until(start.Add(time.Duration(n) * time.Second / rate)); wait > 0 {
				time.Sleep(wait)
			}
			due <- n
		}
		close(due)
		emitters.Wait()
		emitted := time.Since(start)
		deadline := time.Now().Add(2 * time.Minute)
		for {
			mu.Lock()
			got := len(latencies)
			mu.Unlock()
			if got >= events || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		rx.Close()
		mu.Lock()
		slices.Sort(latencies)
		if len(latencies) < events {
			b.Fatalf("%d of %d events arrived within two minutes", len(latencies), events)
		}
		p := func(q float64) time.Duration {
			return latencies[int(q*float64(len(latencies)-1))].Round(time.Millisecond)
		}
		fmt.Printf("alert delivery: %d events emitted in %s (%.0f/s, goal 1000/s); event to delivery p50 %s, p99 %s, max %s\n",
			events, emitted.Round(time.Millisecond), float64(events)/emitted.Seconds(), p(0.5), p(0.99), p(1))
		b.ReportMetric(float64(p(0.99).Milliseconds()), "p99-ms")
		mu.Unlock()
	}
}

// BenchmarkLogMetricsWithAnomalyRules times POST /log/metrics through the
// API for a team with no alert rules (the baseline) and a team with 100
// metric.anomaly rules, request by request in turn so both see the same
// machine, and prints the ratio of their medians (goal ≤ 1.1×). Rules are
// matched when an anomaly is recorded, at the run's end, so reporting
// metrics should not pay for them.
func BenchmarkLogMetricsWithAnomalyRules(b *testing.B) {
	const requests = 600
	for i := 0; i < b.N; i++ {
		env := testenv.New(b)
		plain, ruled := env.Token(b, "plain"), env.Token(b, "ruled")
		channel := obsPost(b, env, ruled, "/v1/api/alerts/channels", map[string]any{"name": "hook", "type": "webhook", "url": "https://hooks.example.com/x"}, http.StatusCreated)["id"]
		for n := 0; n < 100; n++ {
			obsPost(b, env, ruled, "/v1/api/alerts/rules", map[string]any{"name": fmt.Sprintf("r%d", n), "event": "metric.anomaly",
				"channel_id": channel, "asset": fmt.Sprintf("t%d", n%50)}, http.StatusCreated)
		}
		for _, token := range []string{plain, ruled} {
			startTask(b, env, token, "load-1", "etl", "load")
		}
		report := func(token string, n int) time.Duration {
			body := map[string]any{"task_id": "load-1", "metrics": []any{
				map[string]any{"asset_name": fmt.Sprintf("t%d", n%50), "asset_type": "table", "metric_type": "row_count", "value": n},
			}}
			t0 := time.Now()
			obsPost(b, env, token, "/log/metrics", body, http.StatusCreated)
			return time.Since(t0)
		}
		for n := 0; n < 50; n++ { // warm up both
			report(plain, n)
			report(ruled, n)
		}
		var without, with []time.Duration
		for n := 0; n < requests; n++ {
			without = append(without, report(plain, n))
			with = append(with, report(ruled, n))
		}
		median := func(d []time.Duration) time.Duration { slices.Sort(d); return d[len(d)/2] }
		base, ruledMedian := median(without), median(with)
		ratio := ruledMedian.Seconds() / base.Seconds()
		fmt.Printf("/log/metrics: median %s a request without rules (baseline), %s with 100 anomaly rules, ratio %.3f (goal <= 1.1: %s)\n",
			base.Round(time.Microsecond), ruledMedian.Round(time.Microsecond), ratio, verdict(ratio <= 1.1))
		b.ReportMetric(ratio, "with/without(<=1.1)")
	}
}
