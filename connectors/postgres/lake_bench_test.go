package postgres

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/internal/benchtables"
	"github.com/sluice-dev/sluice/lake"
	"github.com/sluice-dev/sluice/netguard"
)

// sealingWriter is a TableWriter as a copy's sink: it seals its files at
// every chunk end, as the copy activity does.
type sealingWriter struct{ *lake.TableWriter }

func (s sealingWriter) ChunkDone(ctx context.Context, _ []any) error {
	return s.Seal(ctx, func(context.Context, []lake.StagedFile) error { return nil })
}

// processCPU is this process's user and system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReadIntoLake is the copy's data path alone, without Temporal or
// a child worker: an ordered Read of the sync benchmarks' narrow (5
// columns) and wide (20 columns) tables into a lake TableWriter, in this
// process, whose CPU time per million rows it reports next to the rows/s
// (CPU time is steadier than wall time on a shared machine). Profile it
// with -cpuprofile to see where the worker's time goes.
func BenchmarkReadIntoLake(b *testing.B) {
	tables := []struct {
		name, columns string
		rows          int
	}{
		{"narrow", `g::bigint AS id, 'customer ' || g AS name, ((g % 100000) * 1.25)::numeric(12,2) AS amount,
			timestamptz '2024-01-01' + g * interval '1 second' AS updated_at, g % 3 = 0 AS active`, 1_000_000},
		{"wide", benchtables.WideColumns, 200_000},
	}
	ctx := context.Background()
	netguard.SetAllowPrivate(true)
	admin, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close(ctx)
	schema := fmt.Sprintf("readlake_%d", time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		b.Fatal(err)
	}
	defer func() { _, _ = admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE") }()
	c, err := New(connectors.NewCredentials(connectors.TypeSpec{}, map[string]any{"host": "127.0.0.1", "port": 5432,
		"database": "postgres", "username": "postgres", "sslmode": "disable"}), false)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = c.Close(ctx) }()
	lk, err := lake.Open(ctx, dbtest.NewPool(b), "lake_bench", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	for _, tb := range tables {
		for _, sql := range []string{
			fmt.Sprintf("CREATE TABLE %s.%s AS SELECT %s FROM generate_series(1, %d) g", schema, tb.name, tb.columns, tb.rows),
			fmt.Sprintf("ALTER TABLE %s.%s ADD PRIMARY KEY (id)", schema, tb.name),
			fmt.Sprintf("VACUUM ANALYZE %s.%s", schema, tb.name),
		} {
			if _, err := admin.Exec(ctx, sql); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(tb.name, func(b *testing.B) {
			ref := connectors.TableRef{Schema: schema, Name: tb.name}
			cols, err := c.Columns(ctx, ref)
			if err != nil {
				b.Fatal(err)
			}
			var cpu time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				w, err := lk.NewTableWriter(ctx, "bench", fmt.Sprintf("%s_%d", tb.name, i), cols)
				if err != nil {
					b.Fatal(err)
				}
				if err := w.TrackKeyOrder([]string{"id"}); err != nil {
					b.Fatal(err)
				}
				before := processCPU()
				stats, err := c.Read(ctx, connectors.ReadRequest{Table: ref, Columns: cols, OrderBy: []string{"id"}, ChunkRows: 500_000}, sealingWriter{w})
				if err == nil {
					_, err = w.Finish(ctx)
				}
				cpu += processCPU() - before
				w.Abort()
				if err != nil || stats.Rows != int64(tb.rows) {
					b.Fatalf("%d rows read, want %d: %v", stats.Rows, tb.rows, err)
				}
			}
			b.ReportMetric(float64(tb.rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(cpu.Seconds()/float64(b.N)/(float64(tb.rows)/1e6), "cpu-s/Mrows")
		})
	}
}
