package lake

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// BenchmarkLakeOnS3 measures, in the same run, a 1M-row write and commit
// into a versitygw bucket against the same into a local directory (goal:
// at least 0.7 of the local rows/s), and a query of the table on the bucket
// with a cold cache (another process's first read) and a warm one, as
// ratios of the same query on the local lake. versitygw serves a local
// directory over loopback, so the figures show sluice's own cost (upload
// before commit, download into the cache), not a network's. Writes
// alternate between the two, three each, and the medians are compared: the
// shared machine's load moves single runs by ±30%.
func BenchmarkLakeOnS3(b *testing.B) {
	local := newFixture(b)
	remote := newS3Fixture(b)
	ids := seq(0, benchRows)
	const query = `SELECT count(*), sum(amount), max(name) FROM bench.%s`
	for i := 0; i < b.N; i++ {
		var localWrites, s3Writes []time.Duration
		var table string
		for round := range 3 {
			table = fmt.Sprintf("s3_%d_%d", i, round)
			localWrites = append(localWrites, timedLoad(b, local, table, ids, 0, LoadAppend))
			s3Writes = append(s3Writes, timedLoad(b, remote.fixture, table, ids, 0, LoadAppend))
		}
		localWrite, s3Write := median(localWrites), median(s3Writes)
		localQuery := medianQuery(b, local, fmt.Sprintf(query, table))

		cold := remote.process(NewCache(0))
		start := time.Now()
		if _, err := cold.Query(remote.ctx, fmt.Sprintf(query, table), QueryOptions{MaxRows: 10}); err != nil {
			b.Fatal(err)
		}
		coldQuery := time.Since(start)
		warmQuery := medianQuery(b, &fixture{t: b, ctx: remote.ctx, pool: remote.pool, lake: cold}, fmt.Sprintf(query, table))

		writeRatio := localWrite.Seconds() / s3Write.Seconds()
		b.ReportMetric(writeRatio, "s3/local-rows-per-s")
		b.ReportMetric(localQuery.Seconds()/coldQuery.Seconds(), "s3-cold/local-query-speed")
		b.ReportMetric(localQuery.Seconds()/warmQuery.Seconds(), "s3-warm/local-query-speed")
		fmt.Printf("BenchmarkLakeOnS3: write %d rows (median of 3): local %s (%.0f rows/s), bucket %s (%.0f rows/s), ratio %.2f (goal >= 0.7)\n",
			benchRows, localWrite.Round(time.Millisecond), float64(benchRows)/localWrite.Seconds(),
			s3Write.Round(time.Millisecond), float64(benchRows)/s3Write.Seconds(), writeRatio)
		fmt.Printf("BenchmarkLakeOnS3: query: local %s, bucket cold cache %s (%.2fx local speed), warm %s (%.2fx)\n",
			localQuery.Round(time.Microsecond), coldQuery.Round(time.Microsecond), localQuery.Seconds()/coldQuery.Seconds(),
			warmQuery.Round(time.Microsecond), localQuery.Seconds()/warmQuery.Seconds())
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
