package mysql

import (
	"context"
	"fmt"
	"os/exec"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/conformance"
	"github.com/sluice-dev/sluice/internal/testenv/baseline"
)

// readBenchRows is the size of BenchmarkReadColumns's table.
const readBenchRows = 2_000_000

// BenchmarkReadColumns reads a table of the sync benchmark's five columns
// (bigint, varchar, decimal, datetime, bool) into a column sink that keeps
// nothing, in the sync's 500k-row chunks, against `mariadb --quick --batch`
// reading it to /dev/null: the reader's share of a sync, without the lake.
func BenchmarkReadColumns(b *testing.B) {
	ctx := context.Background()
	schema := conformance.NewSchemaName()
	admin := adminDB(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+schema); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE " + schema) })
	for _, stmt := range []string{
		fmt.Sprintf("CREATE TABLE %s.big (id BIGINT PRIMARY KEY, name VARCHAR(64), amount DECIMAL(12,2), updated_at DATETIME(6), active BOOL)", schema),
		fmt.Sprintf(`INSERT INTO %[1]s.big SELECT seq, CONCAT('customer ', seq), (seq %% 100000) * 1.25,
			TIMESTAMP'2024-01-01 00:00:00' + INTERVAL seq SECOND, seq %% 3 = 0 FROM %[1]s.seq_1_to_%[2]d`, schema, readBenchRows),
	} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			b.Fatal(err)
		}
	}
	c := openTestConnector(b, schema, "")
	ref := connectors.TableRef{Schema: schema, Name: "big"}
	cols, err := c.Columns(ctx, ref)
	if err != nil {
		b.Fatal(err)
	}
	client := func() time.Duration {
		my := conformance.MySQLServer()
		args := []string{"-h", my.Host, "-P", my.Port, "-u", my.User, "--quick", "--batch", "-e", "SELECT id, name, amount, updated_at, active FROM " + schema + ".big"}
		if my.Password != "" {
			args = append(args, "-p"+my.Password)
		}
		return baseline.TimedToNull(b, exec.Command("mariadb", args...))
	}
	clientTook := client()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var sink discardColumns
		start := time.Now()
		stats, err := c.Read(ctx, connectors.ReadRequest{Table: ref, Columns: cols, OrderBy: []string{"id"}, ChunkRows: 500_000}, &sink)
		took := time.Since(start)
		if err != nil || stats.Rows != readBenchRows || sink.rows != readBenchRows {
			b.Fatalf("read %d rows (sink %d): %v", stats.Rows, sink.rows, err)
		}
		clientTook = min(clientTook, client())
		ratio := clientTook.Seconds() / took.Seconds()
		fmt.Printf("read %d rows into typed columns: %s; mariadb --quick --batch to /dev/null %s; ratio %.2f\n", readBenchRows, took.Round(time.Millisecond), clientTook.Round(time.Millisecond), ratio)
		b.ReportMetric(ratio, "read/client")
	}
}

// discardColumns counts what it is given and keeps nothing.
type discardColumns struct{ rows int }

func (s *discardColumns) WriteBatch(_ context.Context, rows [][]any) error {
	s.rows += len(rows)
	return nil
}

func (s *discardColumns) WriteColumns(_ context.Context, b *connectors.ColumnBatch) error {
	s.rows += b.Len
	return nil
}
