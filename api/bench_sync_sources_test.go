package api_test

import (
	"context"
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/benchtables"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/internal/testenv/baseline"
)

// Sizes of the wide-table and MariaDB sync benchmarks' source tables.
const (
	syncBenchWideRows  = 1_000_000
	syncBenchMariaRows = 5_000_000
)

// wideColumns are the 20 columns of the wide benchmark table.
const wideColumns = benchtables.WideColumns

const wideColumnNames = "id, name, email_hash, note, city, amount, rate, ratio, created_at, updated_at, seen_at, attrs, extra, bucket, small, score, weight, flag, day, ref"

// BenchmarkSyncWideTable syncs a 1M-row Postgres table of 20 columns of
// mixed types into the lake through the API on a child worker, against
// psql's binary COPY of the same columns to /dev/null (goal ≥ 0.8×).
func BenchmarkSyncWideTable(b *testing.B) {
	s := newSyncBench(b)
	name := s.schema + ".wide"
	testenv.ExecPostgres(b, fmt.Sprintf("CREATE TABLE %s AS SELECT %s FROM generate_series(1, %d) g; ALTER TABLE %[1]s ADD PRIMARY KEY (id)",
		name, wideColumns, syncBenchWideRows))
	testenv.ExecPostgres(b, "VACUUM ANALYZE "+name)
	for i := 0; i < b.N; i++ {
		baseline := psqlCopy(b, wideColumnNames, name)
		s.configure(b, "merge", map[string]any{"name": name, "delete_mode": "keep"})
		run := s.runSync(b, "wide")
		if n := s.lakeCount(b, "SELECT count(*) AS n FROM BENCH.wide"); run.Rows != syncBenchWideRows || n != syncBenchWideRows {
			b.Fatalf("wide load: %d rows read, %d in the lake, want %d", run.Rows, n, syncBenchWideRows)
		}
		baseline = min(baseline, psqlCopy(b, wideColumnNames, name))
		reportSourceFigures(b, "wide table (20 columns, Postgres)", "psql binary COPY", syncBenchWideRows, baseline, run)
	}
}

// BenchmarkSyncMariaDBToLake syncs a 5M-row MariaDB table (the Postgres
// benchmark's five columns) into the lake through the API on a child
// worker, against `mariadb --quick --batch -e 'SELECT …' > /dev/null`, the
// fastest plain way to read it out (goal ≥ 0.8×).
func BenchmarkSyncMariaDBToLake(b *testing.B) {
	admin := mariaAdmin(b)
	db := "bench_" + randomHex(b)
	mariaExec := func(sql string) {
		b.Helper()
		if _, err := admin.ExecContext(context.Background(), sql); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
	}
	mariaExec("CREATE DATABASE " + db)
	b.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE IF EXISTS " + db) })
	mariaExec(fmt.Sprintf(`CREATE TABLE %s.big (id BIGINT PRIMARY KEY, name VARCHAR(64), amount DECIMAL(12,2), updated_at DATETIME(6), active BOOL)`, db))
	mariaExec(fmt.Sprintf(`INSERT INTO %[1]s.big SELECT seq, CONCAT('customer ', seq), (seq %% 100000) * 1.25,
		TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq SECOND, seq %% 3 = 0 FROM %[1]s.seq_1_to_%[2]d`, db, syncBenchMariaRows))
	mariaExec("ANALYZE TABLE " + db + ".big")
	s := newSyncBenchFor(b, func(b *testing.B, env *testenv.Env, token string) string { return createMaria(b, env, token, db) })
	creds := testenv.MySQLCredentials()
	client := func() time.Duration {
		args := []string{"-h", creds["host"].(string), "-P", creds["port"].(string), "-u", creds["username"].(string), "--quick", "--batch",
			"-e", fmt.Sprintf("SELECT %s FROM %s.big", benchSourceColumns, db)}
		if pw := creds["password"].(string); pw != "" {
			args = append(args, "-p"+pw)
		}
		return baseline.TimedToNull(b, exec.Command("mariadb", args...))
	}
	for i := 0; i < b.N; i++ {
		baseline := client()
		s.configure(b, "merge", map[string]any{"name": db + ".big", "delete_mode": "keep"})
		run := s.runSync(b, "maria")
		if n := s.lakeCount(b, "SELECT count(*) AS n FROM BENCH.big"); run.Rows != syncBenchMariaRows || n != syncBenchMariaRows {
			b.Fatalf("MariaDB load: %d rows read, %d in the lake, want %d", run.Rows, n, syncBenchMariaRows)
		}
		baseline = min(baseline, client())
		reportSourceFigures(b, "MariaDB", "mariadb --quick --batch", syncBenchMariaRows, baseline, run)
	}
}

// reportSourceFigures prints a sync's throughput through the API and of its
// CopyTable activity as ratios of a client's read of the same rows.
func reportSourceFigures(b *testing.B, what, client string, rows int, baseline time.Duration, run syncTiming) {
	base := float64(rows) / baseline.Seconds()
	api := float64(run.Rows) / run.API.Seconds() / base
	cp := float64(run.Rows) / run.Copy.Seconds() / base
	fmt.Printf("sync throughput, %s: %d rows: baseline %s to /dev/null %s; through the API (POST run -> succeeded) %s, ratio %.2f; CopyTable activity %s, ratio %.2f (goal >= 0.8 end to end: %s); worker CPU %s; worker peak RSS %.0f MiB (goal <= 512: %s)\n",
		what, rows, client, baseline.Round(time.Millisecond), run.API.Round(time.Millisecond), api, run.Copy.Round(time.Millisecond), cp,
		verdict(api >= 0.8), run.CPU.Round(time.Millisecond), run.PeakMB, verdict(run.PeakMB <= 512))
	b.ReportMetric(api, "api/client(>=0.8)")
	b.ReportMetric(cp, "copy/client")
	b.ReportMetric(run.PeakMB, "peak-RSS-MiB(<=512)")
}
