package api_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// deleteBenchRows is the delete detection benchmark's table size:
// SLUICE_BENCH_DELETE_ROWS, 5,000,000 by default (issue 11).
func deleteBenchRows(b *testing.B) int {
	if v := os.Getenv("SLUICE_BENCH_DELETE_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 {
			b.Fatalf("SLUICE_BENCH_DELETE_ROWS=%q: want a row count of at least 1000", v)
		}
		return n
	}
	return 5_000_000
}

// BenchmarkSyncDeleteDetection loads a table, deletes 1% of its rows at the
// source, then merges it three times on fresh child workers: with
// delete_mode keep (the baseline: the same merge without detection), soft
// (which marks the 1%) and hard (which removes them), and prints each
// detecting merge's time as a ratio of the baseline (goal ≤ 1.3×) and the
// workers' peak RSS (goal ≤ 512 MiB). Every merge reads the whole table (no
// cursor), so each does the same merge work and differs only by detection.
func BenchmarkSyncDeleteDetection(b *testing.B) {
	rows := deleteBenchRows(b)
	s := newSyncBench(b)
	createBenchTable(b, s.schema, "big", rows)
	table := func(mode string) any { return map[string]any{"name": s.schema + ".big", "delete_mode": mode} }
	for i := 0; i < b.N; i++ {
		s.configure(b, "merge", table("keep"))
		s.runSync(b, "load")
		testenv.ExecPostgres(b, fmt.Sprintf("DELETE FROM %s.big WHERE id %% 100 = 0", s.schema))
		testenv.ExecPostgres(b, "VACUUM ANALYZE "+s.schema+".big")
		gone := int64(rows / 100)

		keep := s.runSync(b, "merge-keep")
		s.configure(b, "merge", table("soft"))
		soft := s.runSync(b, "merge-soft")
		if n := s.lakeCount(b, "SELECT count(*) AS n FROM BENCH.big WHERE _sluice_deleted_at IS NOT NULL"); n != gone {
			b.Fatalf("soft: %d rows marked, want %d", n, gone)
		}
		s.configure(b, "merge", table("hard"))
		hard := s.runSync(b, "merge-hard")
		if n := s.lakeCount(b, "SELECT count(*) AS n FROM BENCH.big"); n != int64(rows)-gone {
			b.Fatalf("hard: %d rows in the lake, want %d", n, int64(rows)-gone)
		}
		softRatio, hardRatio := soft.Wall.Seconds()/keep.Wall.Seconds(), hard.Wall.Seconds()/keep.Wall.Seconds()
		peak := max(soft.PeakMB, hard.PeakMB)
		fmt.Printf("sync delete detection: %d rows, %d deleted at the source; merge without detection (keep) %s (CopyTable %s, peak RSS %.0f MiB)\n",
			rows, gone, keep.Wall.Round(time.Millisecond), keep.Copy.Round(time.Millisecond), keep.PeakMB)
		fmt.Printf("sync delete detection: soft %s, ratio %.3f (goal <= 1.3: %s); hard %s, ratio %.3f (goal <= 1.3: %s); worker peak RSS %.0f MiB (goal <= 512: %s)\n",
			soft.Wall.Round(time.Millisecond), softRatio, verdict(softRatio <= 1.3), hard.Wall.Round(time.Millisecond), hardRatio, verdict(hardRatio <= 1.3),
			peak, verdict(peak <= 512))
		b.ReportMetric(softRatio, "soft/keep(<=1.3)")
		b.ReportMetric(hardRatio, "hard/keep(<=1.3)")
		b.ReportMetric(peak, "peak-RSS-MiB(<=512)")
	}
}
