package lake

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// compactBenchMerges is how many small merges write the benchmark's table.
const compactBenchMerges = 500

// BenchmarkLakeCompaction measures, in the same run, a query over a table
// written by 500 small merges of 200 new keys each and
// the same query after CompactTable: the ratio of their times, and the live
// data files before and after. Every tenth merge also updates 20 rows of the
// one before, so 50 files have a delete file: with one on every file, the
// query before compaction (a UNION ALL branch per such file) runs out of
// the query's 512 MB. Both times are the median of three runs of
// the query through Lake.Query, as /v1/query runs it. Goal: at least 5×
// faster after, at most 2% of the files.
func BenchmarkLakeCompaction(b *testing.B) {
	f := newFixture(b)
	// 500 merges, each matching its keys against every live file, take
	// longer than the fixture's five minutes on a busy machine.
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
	defer cancel()
	f.ctx = ctx
	for i := 0; i < b.N; i++ {
		table := fmt.Sprintf("compact_%d", i)
		writeStart := time.Now()
		for m := range compactBenchMerges {
			base := int64(m) * 200
			ids := seq(base, base+200)
			if m%10 == 9 {
				ids = append(seq(base-200, base-180), ids...)
			}
			timedLoad(b, f, table, ids, m, LoadMerge)
		}
		written := time.Since(writeStart)
		query := `SELECT count(*), sum(id), count(DISTINCT name), max(updated_at) FROM bench.` + table
		want := f.query(query).Rows[0]
		filesBefore := f.liveFiles(table)
		before := medianQuery(b, f, query)

		compactStart := time.Now()
		res, err := f.lake.CompactTable(f.ctx, "bench", table, CompactOptions{})
		if err != nil {
			b.Fatal(err)
		}
		compacted := time.Since(compactStart)
		if got := f.query(query).Rows[0]; fmt.Sprint(got) != fmt.Sprint(want) {
			b.Fatalf("compaction changed the answer: %v, want %v", got, want)
		}
		after := medianQuery(b, f, query)
		filesAfter := f.liveFiles(table)
		ratio := before.Seconds() / after.Seconds()
		share := float64(filesAfter) / float64(filesBefore)
		b.ReportMetric(ratio, "speedup")
		b.ReportMetric(before.Seconds()*1000, "before-ms")
		b.ReportMetric(after.Seconds()*1000, "after-ms")
		b.ReportMetric(share*100, "files-after-%")
		verdict := "meets the goals"
		if ratio < 5 || share > 0.02 {
			verdict = "MISSES a goal"
		}
		fmt.Printf("BenchmarkLakeCompaction: %d merges (%s) → %d live files; query %s before, %s after compaction: %.1f× faster (goal ≥ 5×); "+
			"compaction took %s and left %d files, %.2f%% of before (goal ≤ 2%%): %s; result %+v\n",
			compactBenchMerges, written.Round(time.Millisecond), filesBefore, before.Round(time.Microsecond), after.Round(time.Microsecond), ratio,
			compacted.Round(time.Millisecond), filesAfter, share*100, verdict, res)
	}
}

// medianQuery runs a query three times and returns the median time.
func medianQuery(b *testing.B, f *fixture, query string) time.Duration {
	b.Helper()
	times := make([]time.Duration, 3)
	for i := range times {
		start := time.Now()
		if _, err := f.lake.Query(f.ctx, query, QueryOptions{MaxRows: 10}); err != nil {
			b.Fatal(err)
		}
		times[i] = time.Since(start)
	}
	slices.Sort(times)
	return times[1]
}
