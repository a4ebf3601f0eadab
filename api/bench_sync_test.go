package api_test

import (
	"cmp"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/internal/testenv/baseline"
)

// Sizes of the sync benchmarks' source tables (issue 4, "Benchmarks").
const (
	syncBenchRows      = 5_000_000
	syncBenchSmallRows = 500_000
	syncBenchOrchRows  = 1_000_000
)

// benchSourceColumns are the columns every sync benchmark reads.
const benchSourceColumns = "id, name, amount, updated_at, active"

// createBenchTable creates schema.table with rows generated rows of int,
// text, numeric, timestamptz and bool, a primary key and an index on the
// cursor column, vacuumed so every reader finds the same settled pages.
func createBenchTable(b *testing.B, schema, table string, rows int) {
	b.Helper()
	name := schema + "." + table
	testenv.ExecPostgres(b, fmt.Sprintf(`CREATE TABLE %[1]s AS SELECT g::bigint AS id, 'customer ' || g AS name,
		((g %% 100000) * 1.25)::numeric(12,2) AS amount, timestamptz '2024-01-01' + g * interval '1 second' AS updated_at,
		g %% 3 = 0 AS active FROM generate_series(1, %[2]d) g;
		ALTER TABLE %[1]s ADD PRIMARY KEY (id); CREATE INDEX ON %[1]s (updated_at);`, name, rows))
	testenv.ExecPostgres(b, "VACUUM ANALYZE "+name)
}

// psqlCopy times psql streaming columns of a table (schema.table) through
// binary COPY to /dev/null.
func psqlCopy(b *testing.B, columns, table string) time.Duration {
	b.Helper()
	sql := fmt.Sprintf("COPY (SELECT %s FROM %s) TO STDOUT (FORMAT binary)", columns, table)
	return baseline.TimedToNull(b, exec.Command("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dbtest.AdminURL(), "-c", sql))
}

// verdict says whether a figure meets its goal.
func verdict(ok bool) string {
	if ok {
		return "meets the goal"
	}
	return "MISSES the goal"
}

// BenchmarkSyncPostgresToLake syncs a 5M-row Postgres table into the lake
// through the API, SyncWorkflow and a worker in a child process, and prints,
// against baselines measured in the same run:
//   - throughput: rows/s of the whole sync (workflow history) and of the
//     CopyTable activity against psql's binary COPY to /dev/null (goal ≥ 0.8×);
//   - memory: the worker's peak RSS at 5M rows (goal ≤ 512 MiB) and against a
//     500k-row sync (goal ≤ 1.10×);
//   - merge: syncing a 1% change (cursor on updated_at, merge on id) against
//     the full load (goal ≤ 0.3×).
func BenchmarkSyncPostgresToLake(b *testing.B) {
	s := newSyncBench(b)
	createBenchTable(b, s.schema, "big", syncBenchRows)
	testenv.ExecPostgres(b, fmt.Sprintf("CREATE TABLE %[1]s.small AS SELECT * FROM %[1]s.big WHERE id <= %[2]d; ALTER TABLE %[1]s.small ADD PRIMARY KEY (id)", s.schema, syncBenchSmallRows))
	testenv.ExecPostgres(b, "VACUUM ANALYZE "+s.schema+".small")
	for i := 0; i < b.N; i++ {
		psql := psqlCopy(b, benchSourceColumns, s.schema+".big")

		// delete_mode keep: these figures are the copy and an incremental
		// merge; delete detection (which reads every key) has its own benchmark.
		s.configure(b, "merge", map[string]any{"name": s.schema + ".small", "delete_mode": "keep"})
		small := s.runSync(b, "small")

		// split_rows 0: the figures are one CopyTable's (BenchmarkSyncSplitTable measures splitting).
		s.configureWith(b, map[string]any{"split_rows": 0}, "merge", map[string]any{"name": s.schema + ".big", "cursor_field": "updated_at", "delete_mode": "keep"})
		full := s.runSync(b, "full")
		if n := s.lakeCount(b, "SELECT count(*) AS n FROM BENCH.big"); full.Rows != syncBenchRows || n != syncBenchRows {
			b.Fatalf("full load: %d rows read, %d in the lake, want %d", full.Rows, n, syncBenchRows)
		}
		psql = min(psql, psqlCopy(b, benchSourceColumns, s.schema+".big")) // the faster of two: the stricter baseline

		// 1%: 45,000 updates spread over the table and 5,000 new keys.
		testenv.ExecPostgres(b, fmt.Sprintf(`UPDATE %[1]s.big SET name = name || ' v2', amount = amount + 1, updated_at = now()
			WHERE id %% 100 = 0 AND id <= 4500000;
			INSERT INTO %[1]s.big SELECT g, 'customer ' || g, 1.25, now(), true FROM generate_series(%[2]d, %[2]d + 4999) g;`, s.schema, syncBenchRows+1))
		merge := s.runSync(b, "merge")
		if n := s.lakeCount(b, "SELECT count(*) AS n FROM BENCH.big"); merge.Rows != 50_000 || n != syncBenchRows+5000 {
			b.Fatalf("merge: %d rows read, %d in the lake, want 50000 and %d", merge.Rows, n, syncBenchRows+5000)
		}
		if n := s.lakeCount(b, "SELECT count(*) AS n FROM BENCH.big WHERE name LIKE '% v2'"); n != 45_000 {
			b.Fatalf("merge: %d updated rows in the lake, want 45000", n)
		}
		reportSyncFigures(b, psql, small, full, merge)
	}
}

func reportSyncFigures(b *testing.B, psql time.Duration, small, full, merge syncTiming) {
	psqlRate := float64(syncBenchRows) / psql.Seconds()
	syncRate := float64(full.Rows) / full.Wall.Seconds()
	copyRate := float64(full.Rows) / full.Copy.Seconds()
	apiRate := float64(full.Rows) / full.API.Seconds()
	fmt.Printf("sync throughput: %d rows: baseline psql binary COPY to /dev/null %s (%.0f rows/s); through the API (POST run -> succeeded) %s (%.0f rows/s, ratio %.2f); whole workflow %s (%.0f rows/s, ratio %.2f); CopyTable activity %s (%.0f rows/s, ratio %.2f); goal >= 0.8 end to end: %s; worker CPU %s\n",
		syncBenchRows, psql.Round(time.Millisecond), psqlRate, full.API.Round(time.Millisecond), apiRate, apiRate/psqlRate,
		full.Wall.Round(time.Millisecond), syncRate, syncRate/psqlRate,
		full.Copy.Round(time.Millisecond), copyRate, copyRate/psqlRate, verdict(apiRate/psqlRate >= 0.8), full.CPU.Round(time.Millisecond))
	growth := full.PeakMB / small.PeakMB
	fmt.Printf("sync memory: worker peak RSS %.0f MiB at %d rows (goal <= 512: %s), %.0f MiB at %d rows, ratio %.3f (goal <= 1.10: %s)\n",
		full.PeakMB, syncBenchRows, verdict(full.PeakMB <= 512), small.PeakMB, syncBenchSmallRows, growth, verdict(growth <= 1.10))
	mergeRatio := merge.Wall.Seconds() / full.Wall.Seconds()
	fmt.Printf("sync merge: 1%% change (%d rows) merged in %s vs full load %s, ratio %.3f (goal <= 0.3: %s); worker peak RSS %.0f MiB\n",
		merge.Rows, merge.Wall.Round(time.Millisecond), full.Wall.Round(time.Millisecond), mergeRatio, verdict(mergeRatio <= 0.3), merge.PeakMB)
	b.ReportMetric(apiRate/psqlRate, "api/psql(>=0.8)")
	b.ReportMetric(copyRate/psqlRate, "copy/psql")
	b.ReportMetric(full.PeakMB, "peak-RSS-MiB(<=512)")
	b.ReportMetric(growth, "RSS-5M/500k(<=1.1)")
	b.ReportMetric(mergeRatio, "merge/full(<=0.3)")
}

// orchestrationRuns is how many steady-state runs the orchestration
// benchmark takes the median of: one run's share swings by a few points
// with the machine's noise, as the Temporal server's and Postgres's writes
// of a few milliseconds each are what is measured.
const orchestrationRuns = 3

// BenchmarkSyncOrchestration syncs a 1M-row table through the real
// SyncWorkflow on one worker, first once and then orchestrationRuns times,
// and prints the share of each run's wall time (workflow started →
// completed in its history) spent outside the CopyTable activity; the goal
// (≤ 5%) is for the median of the later runs, a worker's steady state. The
// first run also pays for the new worker's connections and caches.
func BenchmarkSyncOrchestration(b *testing.B) {
	s := newSyncBench(b)
	createBenchTable(b, s.schema, "mid", syncBenchOrchRows)
	s.configure(b, "merge", s.schema+".mid")
	outside := func(run syncTiming) float64 { return (run.Wall - run.Copy).Seconds() / run.Wall.Seconds() }
	for i := 0; i < b.N; i++ {
		w := s.startWorker(b, "orchestration")
		first := s.runOn(b, "orchestration-first")
		steady := make([]syncTiming, orchestrationRuns)
		for r := range steady {
			steady[r] = s.runOn(b, "orchestration")
		}
		w.stop(b)
		var shares []string
		for _, run := range append([]syncTiming{first}, steady...) {
			if run.Rows != syncBenchOrchRows {
				b.Fatalf("%d rows read, want %d", run.Rows, syncBenchOrchRows)
			}
			shares = append(shares, fmt.Sprintf("%.1f%%", 100*outside(run)))
		}
		slices.SortFunc(steady, func(x, y syncTiming) int { return cmp.Compare(outside(x), outside(y)) })
		med := steady[len(steady)/2]
		fmt.Printf("sync orchestration: %d rows, median of %d runs: run %s, CopyTable %s, outside the copy %s = %.1f%% (goal <= 5%%: %s); each run, the new worker's first one first: %s\n",
			med.Rows, orchestrationRuns, med.Wall.Round(time.Millisecond), med.Copy.Round(time.Millisecond),
			(med.Wall - med.Copy).Round(time.Millisecond), 100*outside(med), verdict(outside(med) <= 0.05), strings.Join(shares, ", "))
		b.ReportMetric(100*outside(med), "outside-copy-%(<=5)")
	}
}
