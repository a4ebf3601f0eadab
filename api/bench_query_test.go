package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/service"
)

const benchSetup = `
CREATE TABLE wide AS SELECT g AS id, 'name ' || g AS name, (g * 1.25)::numeric(12,2) AS amount,
  timestamptz '2024-01-01' + g * interval '1 minute' AS at, g % 2 = 0 AS flag, g / 3.0::float8 AS ratio,
  g::bigint * 1000003 AS big, date '2020-01-01' + (g % 1000) AS day, md5(g::text) AS hash, g % 97 AS bucket
FROM generate_series(1, 10000) g;`

// BenchmarkQueryOverhead compares POST /v1/query (HTTP, auth, guard, read-only
// transaction, JSON) with the same query run by pgx in-process and encoded
// to JSON, in the same run. Goals: median latency ratio <= 1.3, throughput
// ratio at 8 concurrent clients >= 0.5.
func BenchmarkQueryOverhead(b *testing.B) {
	env := testenv.New(b)
	token := env.Token(b, "bench")
	schema := testenv.PostgresSchema(b, benchSetup)
	id := benchIntegration(b, env, token)
	srv := httptest.NewServer(env.Router)
	defer srv.Close()
	sql := "SELECT * FROM " + schema + ".wide"
	body, _ := json.Marshal(map[string]any{"sql": sql, "integration_id": id})

	pool, err := pgxpool.New(context.Background(), dbtest.AdminURL())
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	direct := func() error { return pgxToJSON(pool, sql) }
	viaAPI := func() error { return postQuery(srv.URL, token, body) }

	for i := 0; i < 3; i++ { // warm both paths: connections, caches
		must(b, direct())
		must(b, viaAPI())
	}
	const runs = 25
	var apiTimes, pgxTimes []time.Duration
	for i := 0; i < runs; i++ {
		pgxTimes = append(pgxTimes, timed(b, direct))
		apiTimes = append(apiTimes, timed(b, viaAPI))
	}
	latencyRatio := float64(median(apiTimes)) / float64(median(pgxTimes))
	apiRate := throughput(b, 8, 48, viaAPI)
	pgxRate := throughput(b, 8, 48, direct)
	b.ReportMetric(latencyRatio, "latency-ratio(<=1.3)")
	b.ReportMetric(apiRate/pgxRate, "throughput-ratio(>=0.5)")
	fmt.Printf("query overhead: median %s via API vs %s pgx+json (ratio %.2f, goal <= 1.3); 8 clients: %.1f vs %.1f req/s (ratio %.2f, goal >= 0.5)\n",
		median(apiTimes).Round(time.Microsecond), median(pgxTimes).Round(time.Microsecond), latencyRatio, apiRate, pgxRate, apiRate/pgxRate)
}

// BenchmarkScanRateLimitRefusal measures how fast the 11th scan within 10 s is refused.
func BenchmarkScanRateLimitRefusal(b *testing.B) {
	env := testenv.NewWith(b, func(o *service.Options) { o.ScanRate = service.Rate{Limit: 10, Window: 10 * time.Second} })
	srv := httptest.NewServer(env.Router)
	defer srv.Close()
	var refusals []time.Duration
	for team := 0; team < 5; team++ {
		token := env.Token(b, fmt.Sprintf("scan-%d", team))
		id := benchIntegration(b, env, token)
		url := srv.URL + "/v2/connection/" + id + "/scan"
		body := []byte(`{"query":"SELECT 1"}`)
		for i := 0; i < 10; i++ {
			if status := post(b, url, token, body); status != http.StatusOK {
				b.Fatalf("scan %d: %d", i+1, status)
			}
		}
		start := time.Now()
		if status := post(b, url, token, body); status != http.StatusTooManyRequests {
			b.Fatalf("11th scan: %d, want 429", status)
		}
		refusals = append(refusals, time.Since(start))
	}
	b.ReportMetric(float64(median(refusals).Microseconds())/1000, "refusal-ms(<5)")
	fmt.Printf("scan rate limit: 11th request refused in %s (median of %d teams, goal < 5ms)\n", median(refusals).Round(time.Microsecond), len(refusals))
}

func benchIntegration(b *testing.B, env *testenv.Env, token string) string {
	res := env.Do(b, http.MethodPost, "/v1/api/integrations", token, map[string]any{"type": "postgres", "credentials": testenv.PostgresCredentials("")})
	if res.Status != http.StatusCreated {
		b.Fatalf("create integration: %d %s", res.Status, res.Body)
	}
	var out struct {
		Integration struct {
			ID string `json:"id"`
		} `json:"integration"`
	}
	must(b, json.Unmarshal(res.Body, &out))
	return out.Integration.ID
}

func pgxToJSON(pool *pgxpool.Pool, sql string) error {
	rows, err := pool.Query(context.Background(), sql)
	if err != nil {
		return err
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	var out []map[string]any
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return err
		}
		m := make(map[string]any, len(vals))
		for i, v := range vals {
			m[fields[i].Name] = v
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return json.NewEncoder(io.Discard).Encode(map[string]any{"data": out})
}

func postQuery(base, token string, body []byte) error {
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/query", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("query: status %d", resp.StatusCode)
	}
	return nil
}

func post(b *testing.B, url, token string, body []byte) int {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func timed(b *testing.B, fn func() error) time.Duration {
	start := time.Now()
	must(b, fn())
	return time.Since(start)
}

// throughput runs total calls of fn on clients goroutines and returns calls per second.
func throughput(b *testing.B, clients, total int, fn func() error) float64 {
	var wg sync.WaitGroup
	work := make(chan struct{}, total)
	for i := 0; i < total; i++ {
		work <- struct{}{}
	}
	close(work)
	errs := make(chan error, clients)
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				if err := fn(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return float64(total) / time.Since(start).Seconds()
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
