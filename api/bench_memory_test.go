package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// memoryGoal is how far above idle the process may grow while 8 worst-case
// queries run at once (issue 12 item 4).
const memoryGoal = 256 << 20

// BenchmarkQueryMemoryPeak runs 8 worst-case queries at once against the
// API in this process, with the default byte budget, value cap and memory
// pool, and samples the process's resident memory every 5 ms: two
// repeat('x', 200000000) on Postgres, two /scan of 100 × 10 MB values, two
// /v1/query of 10,000 rows × 100 kB, and two lake queries building a 1.5 GB
// string. Goal: peak RSS at most 256 MiB above idle (ratio <= 1).
func BenchmarkQueryMemoryPeak(b *testing.B) {
	env := testenv.New(b)
	token := env.Token(b, "bench-memory")
	id := benchIntegration(b, env, token)
	srv := httptest.NewServer(env.Router)
	defer srv.Close()

	type call struct{ name, path, body string }
	query := func(integration, sql string) string {
		m := map[string]any{"sql": sql}
		if integration != "" {
			m["integration_id"] = integration
		}
		out, _ := json.Marshal(m)
		return string(out)
	}
	calls := []call{
		{"postgres 200 MB value", "/v1/query", query(id, "SELECT repeat('x', 200000000) AS s")},
		{"scan 100 x 10 MB", "/v2/connection/" + id + "/scan?limit=100", `{"query": "SELECT repeat('x', 10000000) AS s FROM generate_series(1, 100)"}`},
		{"query 10,000 x 100 kB", "/v1/query", query(id, "SELECT g, repeat('x', 100000) AS s FROM generate_series(1, 10000) g")},
		{"lake 1.5 GB string", "/v1/query", query("", "SELECT repeat('x', 1500000000) AS s")},
	}
	// SLUICE_BENCH_MEMORY_ONLY=<part of a name> runs only those calls, to
	// see which one grows the process.
	if only := os.Getenv("SLUICE_BENCH_MEMORY_ONLY"); only != "" {
		var kept []call
		for _, c := range calls {
			if strings.Contains(c.name, only) {
				kept = append(kept, c)
			}
		}
		calls = kept
	}
	post := func(c call) (int, error) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+c.path, strings.NewReader(c.body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, err
	}
	for _, c := range calls { // warm up: connections, the lake, the guard
		if _, err := post(call{c.name, "/v1/query", query(id, "SELECT 1")}); err != nil {
			b.Fatal(err)
		}
	}
	for range b.N {
		runtime.GC()
		debug.FreeOSMemory()
		time.Sleep(200 * time.Millisecond)
		idle := rssBytes(b)
		var peak atomic.Int64
		peak.Store(idle)
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			for {
				if r := rssBytes(b); r > peak.Load() {
					peak.Store(r)
				}
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
		var wg sync.WaitGroup
		statuses := make([]string, 8)
		start := time.Now()
		for i := range 8 {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				c := calls[i%len(calls)]
				status, err := post(c)
				statuses[i] = fmt.Sprintf("%s: %d %v", c.name, status, errOrEmpty(err))
			}(i)
		}
		wg.Wait()
		close(stop)
		<-sampled
		over := peak.Load() - idle
		ratio := float64(over) / memoryGoal
		fmt.Printf("BenchmarkQueryMemoryPeak: idle RSS %.1f MiB, peak %.1f MiB, peak over idle %.1f MiB, ratio to the %d MiB goal %.2f (goal <= 1), %s for 8 queries\n",
			mib(idle), mib(peak.Load()), mib(over), memoryGoal>>20, ratio, time.Since(start).Round(time.Millisecond))
		for _, s := range statuses {
			fmt.Println("  ", s)
		}
		b.ReportMetric(mib(idle), "idle_MiB")
		b.ReportMetric(mib(over), "peak_over_idle_MiB")
		b.ReportMetric(ratio, "ratio_to_goal")
	}
}

func errOrEmpty(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// rssBytes is this process's resident set size (VmRSS in /proc/self/status).
func rssBytes(b *testing.B) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.HasPrefix(line, []byte("VmRSS:")) {
			fields := strings.Fields(string(line[len("VmRSS:"):]))
			kb, err := strconv.ParseInt(fields[0], 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}
