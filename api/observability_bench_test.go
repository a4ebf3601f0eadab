package api_test

import (
	"bytes"
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
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// benchClient keeps enough idle connections for every concurrent client, so
// neither side pays for new TCP connections mid-run, and caps them, so an
// open-loop burst queues in the client rather than flooding the listen
// backlog (whose SYN retries would add seconds that are not the server's).
var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}, Timeout: 30 * time.Second}

// metricsRequest posts one /log/metrics body and returns the status.
func metricsRequest(url, token string, body []byte) (int, error) {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := benchClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func expectCreated(url, token string, body []byte) func() error {
	return func() error {
		status, err := metricsRequest(url, token, body)
		if err == nil && status != http.StatusCreated {
			err = fmt.Errorf("POST %s: status %d", url, status)
		}
		return err
	}
}

// bareMetricsHandler is the baseline: a plain net/http handler that decodes
// the same body and does the same single-row pgx insert, with no router,
// authentication, validation, logging or metrics.
func bareMetricsHandler(pool *pgxpool.Pool, teamID uuid.UUID, taskRunID int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			TaskID  string `json:"task_id"`
			Metrics []struct {
				AssetName  string  `json:"asset_name"`
				AssetType  string  `json:"asset_type"`
				MetricType string  `json:"metric_type"`
				Value      float64 `json:"value"`
			} `json:"metrics"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Metrics) != 1 {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		m := req.Metrics[0]
		_, err := pool.Exec(r.Context(), `INSERT INTO obs_metric_values (team_id, task_run_id, asset_name, asset_type, metric_type, value, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, now())`, teamID, taskRunID, m.AssetName, m.AssetType, m.MetricType, m.Value)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
}

func metricsBody(taskID string, n int) []byte {
	metrics := make([]map[string]any, n)
	for i := range metrics {
		metrics[i] = map[string]any{"asset_name": fmt.Sprintf("bench.table_%d", i%50), "asset_type": "table",
			"metric_type": "row_count", "value": 1000 + i}
	}
	body, _ := json.Marshal(map[string]any{"task_id": taskID, "metrics": metrics})
	return body
}

// BenchmarkLogMetricsIngest measures /log/metrics against a bare net/http +
// pgx handler in the same run, on the same database and pool. Goals:
// single-metric requests at 16 concurrent clients ≥ 0.5× the bare rate;
// 1,000-metric batches ≥ 20× the single-metric rate in metrics/s; p99 < 50 ms
// at 70% of the measured saturation rate; beyond saturation, load is shed
// with 503s instead of queueing without bound.
func BenchmarkLogMetricsIngest(b *testing.B) {
	env := testenv.New(b)
	token := env.Token(b, "bench")
	ctx := context.Background()
	startTask(b, env, token, "bench-run", "bench-app", "ingest")
	var teamID uuid.UUID
	var runID int64
	must(b, env.Pool.QueryRow(ctx, "SELECT team_id, id FROM obs_task_runs WHERE task_id = 'bench-run'").Scan(&teamID, &runID))

	sluice := httptest.NewServer(env.Router)
	defer sluice.Close()
	bare := httptest.NewServer(bareMetricsHandler(env.Pool, teamID, runID))
	defer bare.Close()
	single, batch := metricsBody("bench-run", 1), metricsBody("bench-run", 1000)
	viaSluice := expectCreated(sluice.URL+"/log/metrics", token, single)
	viaBare := expectCreated(bare.URL, "", single)
	batchViaSluice := expectCreated(sluice.URL+"/log/metrics", token, batch)

	const clients, requests = 16, 3000
	throughput(b, clients, 500, viaSluice) // warm up both: connections, plans, caches
	throughput(b, clients, 500, viaBare)
	bareRate := throughput(b, clients, requests, viaBare)
	sluiceRate := throughput(b, clients, requests, viaSluice)
	batchRate := throughput(b, clients, 48, batchViaSluice) * 1000

	at70 := openLoop(b, 0.7*sluiceRate, 3*time.Second, sluice.URL+"/log/metrics", token, single)
	over := openLoop(b, 3*sluiceRate, 2*time.Second, sluice.URL+"/log/metrics", token, single)

	b.ReportMetric(sluiceRate/bareRate, "single-vs-bare(>=0.5)")
	b.ReportMetric(batchRate/sluiceRate, "batch-vs-single(>=20)")
	b.ReportMetric(float64(at70.p99.Microseconds())/1000, "p99-ms-at-70%(<50)")
	b.ReportMetric(over.shed, "shed-fraction-at-300%")
	fmt.Printf("log/metrics ingestion (%d clients):\n"+
		"  bare net/http+pgx   %8.0f req/s\n"+
		"  sluice single       %8.0f req/s      ratio %.2f (goal >= 0.5)\n"+
		"  sluice 1,000-batch  %8.0f metrics/s  ratio %.1f (goal >= 20)\n"+
		"  open loop at 70%%    %8.0f req/s      %s (goal p99 < 50ms)\n"+
		"  open loop at 300%%   %8.0f req/s      %s\n",
		clients, bareRate, sluiceRate, sluiceRate/bareRate, batchRate, batchRate/sluiceRate,
		0.7*sluiceRate, at70, 3*sluiceRate, over)
}

// loadResult is what an open-loop run saw: latencies of recorded requests,
// measured from when each was due (so queueing counts), and the share shed.
type loadResult struct {
	p50, p99, max time.Duration
	shed          float64
}

func (r loadResult) String() string {
	return fmt.Sprintf("p50 %s p99 %s max %s, shed %.1f%% (503/429)", r.p50.Round(100*time.Microsecond),
		r.p99.Round(100*time.Microsecond), r.max.Round(100*time.Microsecond), 100*r.shed)
}

// openLoop sends requests at a fixed rate for d, whatever the answers'
// speed. A 201 is recorded, a 503 or 429 shed; any other answer fails the
// benchmark.
func openLoop(b *testing.B, rate float64, d time.Duration, url, token string, body []byte) loadResult {
	n := int(rate * d.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		accepted []time.Duration
		shed     int
		failure  error
	)
	start := time.Now()
	for i := 0; i < n; i++ {
		due := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(due))
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, err := metricsRequest(url, token, body)
			latency := time.Since(due)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				failure = err
			case status == http.StatusCreated:
				accepted = append(accepted, latency)
			case status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests:
				shed++
			default:
				failure = fmt.Errorf("open loop: status %d", status)
			}
		}()
	}
	wg.Wait()
	if failure != nil {
		b.Fatal(failure)
	}
	res := loadResult{shed: float64(shed) / float64(n)}
	if len(accepted) > 0 {
		slices.Sort(accepted)
		res.p50, res.p99, res.max = accepted[len(accepted)/2], accepted[len(accepted)*99/100], accepted[len(accepted)-1]
	}
	return res
}
