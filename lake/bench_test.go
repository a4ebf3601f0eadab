package lake

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// benchRows is the size of the benchmark table.
const benchRows = 1_000_000

var benchColumns = []connectors.Column{
	col("id", connectors.KindInt), col("name", connectors.KindString), decimalCol("amount", 12, 2),
	col("updated_at", connectors.KindTimestampTZ), col("active", connectors.KindBool),
}

// genRows streams rows in batches, as a connector's Read does; version
// changes the non-key values.
func genRows(ids []int64, version int, sink func([][]any)) {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 10_000
	rows := make([][]any, 0, batch)
	for _, id := range ids {
		rows = append(rows, []any{id, "customer-" + strconv.FormatInt(id, 10) + "-v" + strconv.Itoa(version),
			connectors.Decimal(strconv.FormatInt(id%100000, 10) + "." + strconv.Itoa(version%100)),
			base.Add(time.Duration(id) * time.Second), (id+int64(version))%2 == 0})
		if len(rows) == batch {
			sink(rows)
			rows = rows[:0]
		}
	}
	if len(rows) > 0 {
		sink(rows)
	}
}

func seq(from, to int64) []int64 {
	out := make([]int64, 0, to-from)
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}

// timedLoad writes ids through a TableWriter and commits them.
func timedLoad(b *testing.B, f *fixture, table string, ids []int64, version int, method LoadMethod) time.Duration {
	b.Helper()
	start := time.Now()
	w, err := f.lake.NewTableWriter(f.ctx, "bench", table, benchColumns)
	if err != nil {
		b.Fatal(err)
	}
	genRows(ids, version, func(rows [][]any) {
		if err := w.WriteBatch(f.ctx, rows); err != nil {
			b.Fatal(err)
		}
	})
	files, err := w.Finish(f.ctx)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "bench", Table: table, Columns: benchColumns,
		Method: method, PrimaryKeys: []string{"id"}, Files: files}); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// BenchmarkLakeWrite writes and commits 1M generated rows (int, text,
// numeric, timestamptz, bool) and reports rows/s and the peak RSS growth.
func BenchmarkLakeWrite(b *testing.B) {
	f := newFixture(b)
	ids := seq(0, benchRows)
	for i := 0; i < b.N; i++ {
		before := resetPeakRSS()
		took := timedLoad(b, f, fmt.Sprintf("write_%d", i), ids, 0, LoadAppend)
		peak := peakRSS()
		b.ReportMetric(float64(benchRows)/took.Seconds(), "rows/s")
		b.ReportMetric(float64(peak-before)/(1<<20), "peak-RSS-delta-MiB")
		fmt.Printf("BenchmarkLakeWrite: %d rows in %s = %.0f rows/s, peak RSS %d MiB (+%d MiB)\n",
			benchRows, took.Round(time.Millisecond), float64(benchRows)/took.Seconds(), peak>>20, (peak-before)>>20)
	}
}

// BenchmarkLakeMerge measures, in the same run, the full load of 1M rows
// with merge and a merge of 1% changed rows (9,000 updates spread over the
// table and 1,000 new keys) into it, and reports their ratio.
func BenchmarkLakeMerge(b *testing.B) {
	f := newFixture(b)
	for i := 0; i < b.N; i++ {
		table := fmt.Sprintf("merge_%d", i)
		full := timedLoad(b, f, table, seq(0, benchRows), 0, LoadMerge)
		var change []int64
		for id := int64(0); id < benchRows; id += benchRows / 9000 {
			change = append(change, id)
		}
		change = append(change[:9000], seq(benchRows, benchRows+1000)...)
		merge := timedLoad(b, f, table, change, 1, LoadMerge)
		if got := f.one(`SELECT count(*) FROM bench.` + table); got != int64(benchRows+1000) {
			b.Fatalf("%v rows after the merge", got)
		}
		ratio := merge.Seconds() / full.Seconds()
		b.ReportMetric(full.Seconds(), "full-load-s")
		b.ReportMetric(merge.Seconds(), "merge-1pct-s")
		b.ReportMetric(ratio, "merge/full")
		fmt.Printf("BenchmarkLakeMerge: full load of %d rows %s, 1%% merge %s, ratio %.3f\n",
			benchRows, full.Round(time.Millisecond), merge.Round(time.Millisecond), ratio)
	}
}

// resetPeakRSS resets the kernel's peak-RSS mark and returns the current RSS.
func resetPeakRSS() int64 {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return procStatus("VmRSS:")
}

// peakRSS returns the peak RSS since the last reset.
func peakRSS() int64 { return procStatus("VmHWM:") }

func procStatus(field string) int64 {
	fh, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer fh.Close()
	s := bufio.NewScanner(fh)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
