package api_test

import (
	"fmt"
	"testing"
	"time"
)

// splitBenchRanges are how many key ranges the split runs copy the 5M-row
// table in, each with as many copies at once.
var splitBenchRanges = []int{2, 4}

// BenchmarkSyncSplitTable overwrites the 5M-row benchmark table into the
// lake twice on a fresh child worker each: whole, in one CopyTable
// (split_rows 0), and split into splitBenchRanges key ranges copied at once
// (table_parallelism the same) and committed as one snapshot. It prints
// both runs' wall time (workflow started → completed) and psql's binary
// COPY of the table to /dev/null, the baseline. One worker process runs
// every range here; what splitting buys depends on the cores and source
// connections the workers have.
func BenchmarkSyncSplitTable(b *testing.B) {
	s := newSyncBench(b)
	createBenchTable(b, s.schema, "big", syncBenchRows)
	table := map[string]any{"name": s.schema + ".big"}
	for i := 0; i < b.N; i++ {
		psql := psqlCopy(b, benchSourceColumns, s.schema+".big")
		s.configureWith(b, map[string]any{"split_rows": 0}, "overwrite", table)
		whole := s.runSync(b, "whole")
		s.checkLoad(b, whole)
		fmt.Printf("sync split: %d rows overwritten: baseline psql binary COPY to /dev/null %s; whole table (one CopyTable) %s, worker peak RSS %.0f MiB\n",
			syncBenchRows, psql.Round(time.Millisecond), whole.Wall.Round(time.Millisecond), whole.PeakMB)
		for _, n := range splitBenchRanges {
			s.configureWith(b, map[string]any{"split_rows": syncBenchRows / n, "table_parallelism": n}, "overwrite", table)
			split := s.runSync(b, fmt.Sprintf("split-%d", n))
			s.checkLoad(b, split)
			fmt.Printf("sync split: %d key ranges copied at once %s (%.2fx the whole): ranges %s, their commit (CopyTable) %s; worker peak RSS %.0f MiB\n",
				n, split.Wall.Round(time.Millisecond), split.Wall.Seconds()/whole.Wall.Seconds(), split.Ranges.Round(time.Millisecond),
				split.Copy.Round(time.Millisecond), split.PeakMB)
			b.ReportMetric(split.Wall.Seconds()/whole.Wall.Seconds(), fmt.Sprintf("split%d/whole", n))
		}
	}
}

// checkLoad fails the benchmark unless the run read and the lake holds
// every row of the table once.
func (s *syncBench) checkLoad(b *testing.B, run syncTiming) {
	b.Helper()
	if n := s.lakeCount(b, "SELECT count(DISTINCT id) AS n FROM BENCH.big"); run.Rows != syncBenchRows || n != syncBenchRows {
		b.Fatalf("%d rows read, %d distinct ids in the lake, want %d", run.Rows, n, syncBenchRows)
	}
}
