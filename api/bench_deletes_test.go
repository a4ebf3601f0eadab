package api_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// benchRows is a benchmark's table size: the environment variable name's
// value (at least least rows), def when it is not set.
func benchRows(b *testing.B, name string, def, least int) int {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < least {
			b.Fatalf("%s=%q: want a row count of at least %d", name, v, least)
		}
		return n
	}
	return def
}

// deleteBenchRows is the delete detection benchmark's table size:
// SLUICE_BENCH_DELETE_ROWS, 5,000,000 by default (issue 11).
func deleteBenchRows(b *testing.B) int {
	return benchRows(b, "SLUICE_BENCH_DELETE_ROWS", 5_000_000, 1000)
}

// BenchmarkSyncDeleteDetection measures, for each delete mode, a merge of
// a table 1% of whose rows were deleted at the source, from the same lake
// state each time: the source complete, an overwrite run that leaves the
// lake table one generation of every row, the 1% deleted at the source, then
// the timed merge on a fresh child worker. keep (no detection) is the
// baseline; soft (marks the 1%) and hard (removes them) are printed as
// ratios of it (goal ≤ 1.3×) with the workers' peak RSS (goal ≤ 512 MiB).
// No merge has a cursor, so each reads the whole table and does the same
// merge work; they differ only by detection. (Merging the modes one after
// another into one table, as this benchmark once did, gave each a different
// lake to merge into: the later merges matched more generations of files.)
func BenchmarkSyncDeleteDetection(b *testing.B) {
	rows := deleteBenchRows(b)
	s := newSyncBench(b)
	createBenchTable(b, s.schema, "big", rows)
	name := s.schema + ".big"
	gone := int64(rows / 100)
	for i := 0; i < b.N; i++ {
		runs := map[string]syncTiming{}
		for _, mode := range []string{"keep", "soft", "hard"} {
			testenv.ExecPostgres(b, fmt.Sprintf(`INSERT INTO %[1]s SELECT g::bigint, 'customer ' || g, ((g %% 100000) * 1.25)::numeric(12,2),
				timestamptz '2024-01-01' + g * interval '1 second', g %% 3 = 0 FROM generate_series(1, %[2]d) g WHERE g %% 100 = 0
				ON CONFLICT (id) DO NOTHING`, name, rows))
			s.configure(b, "overwrite", map[string]any{"name": name})
			s.runSync(b, "reset-"+mode)
			testenv.ExecPostgres(b, fmt.Sprintf("DELETE FROM %s WHERE id %% 100 = 0", name))
			testenv.ExecPostgres(b, "VACUUM ANALYZE "+name)
			s.configure(b, "merge", map[string]any{"name": name, "delete_mode": mode})
			runs[mode] = s.runSync(b, "merge-"+mode)
			switch mode {
			case "soft":
				if n := s.lakeCount(b, "SELECT count(*) AS n FROM BENCH.big WHERE _sluice_deleted_at IS NOT NULL"); n != gone {
					b.Fatalf("soft: %d rows marked, want %d", n, gone)
				}
			case "hard":
				if n := s.lakeCount(b, "SELECT count(*) AS n FROM BENCH.big"); n != int64(rows)-gone {
					b.Fatalf("hard: %d rows in the lake, want %d", n, int64(rows)-gone)
				}
			}
		}
		keep, soft, hard := runs["keep"], runs["soft"], runs["hard"]
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
