package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv/s3server"
)

// BenchmarkSyncIntoBucket syncs a 1M-row Postgres table through the API
// (merge, delete_mode keep, a fresh child worker each) into a lake in a
// versitygw bucket and into a local directory, and prints the bucket's
// rows/s as a ratio of the local one's (goal >= 0.7) beside both absolute
// times; then a lake query through the API (count and sum over the table):
// on the bucket with the API's cache cold (its first read: the API has a
// data directory of its own, as on another machine) and warm, as ratios of
// the same query on the local lake. versitygw serves a directory over
// loopback, so the figures are sluice's own cost, not a network's.
func BenchmarkSyncIntoBucket(b *testing.B) {
	srv := s3server.Start(b)
	srv.Setenv(b)
	local := newSyncBench(b)
	bucket := newSyncBenchOn(b, benchIntegration, &benchLake{URL: srv.URL("lakes"), Endpoint: srv.Endpoint})
	for _, s := range []*syncBench{local, bucket} {
		createBenchTable(b, s.schema, "big", syncBenchOrchRows)
		s.configure(b, "merge", map[string]any{"name": s.schema + ".big", "delete_mode": "keep"})
	}
	const query = "SELECT count(*) AS n FROM (SELECT sum(amount), max(name) FROM BENCH.big GROUP BY active)"
	for i := 0; i < b.N; i++ {
		l := local.runSync(b, "local")
		r := bucket.runSync(b, "bucket")
		ratio := l.API.Seconds() / r.API.Seconds()
		fmt.Printf("sync into a bucket: %d rows through the API: local directory %s (%.0f rows/s), bucket %s (%.0f rows/s), ratio %.2f (goal >= 0.7: %s); CopyTable local %s, bucket %s; worker peak RSS local %.0f MiB, bucket %.0f MiB\n",
			syncBenchOrchRows, l.API.Round(time.Millisecond), float64(l.Rows)/l.API.Seconds(), r.API.Round(time.Millisecond), float64(r.Rows)/r.API.Seconds(),
			ratio, verdict(ratio >= 0.7), l.Copy.Round(time.Millisecond), r.Copy.Round(time.Millisecond), l.PeakMB, r.PeakMB)
		localQuery := timedQuery(b, local, query)
		cold := timedQuery(b, bucket, query)
		warm := timedQuery(b, bucket, query)
		fmt.Printf("lake query through the API: local %s; bucket, API cache cold %s (%.2fx local speed), warm %s (%.2fx)\n",
			localQuery.Round(time.Millisecond), cold.Round(time.Millisecond), localQuery.Seconds()/cold.Seconds(),
			warm.Round(time.Millisecond), localQuery.Seconds()/warm.Seconds())
		b.ReportMetric(ratio, "bucket/local-rows-per-s(>=0.7)")
		b.ReportMetric(localQuery.Seconds()/cold.Seconds(), "cold/local-query-speed")
		b.ReportMetric(localQuery.Seconds()/warm.Seconds(), "warm/local-query-speed")
	}
}

// timedQuery times one lake query through the API.
func timedQuery(b *testing.B, s *syncBench, sql string) time.Duration {
	b.Helper()
	start := time.Now()
	if n := s.lakeCount(b, sql); n != 2 {
		b.Fatalf("query %q answered %d, want 2", sql, n)
	}
	return time.Since(start)
}
