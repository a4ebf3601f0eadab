package postgres_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/postgres"
)

// BenchmarkCDCStream measures the worker's side of a cdc run alone: a slot
// holding SLUICE_BENCH_CDC_STREAM_CHANGES changes (100,000 by default; the
// api benchmark's table and mix of updates, deletes and inserts, a thousand
// per transaction) streamed and decoded into a handler that only counts
// them. The baseline is the server decoding the same changes with no client
// to send them to (pg_logical_slot_peek_binary_changes).
func BenchmarkCDCStream(b *testing.B) {
	changes := 100_000
	if v := os.Getenv("SLUICE_BENCH_CDC_STREAM_CHANGES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 {
			b.Fatalf("SLUICE_BENCH_CDC_STREAM_CHANGES=%q: want at least 1000", v)
		}
		changes = n
	}
	rows := changes * 10
	srv, c := cdcSource(b, fmt.Sprintf(`CREATE TABLE big AS SELECT g::bigint AS id, 'customer ' || g AS name,
		((g %% 100000) * 1.25)::numeric(12,2) AS amount, timestamptz '2024-01-01' + g * interval '1 second' AS updated_at,
		g %% 3 = 0 AS active FROM generate_series(1, %d) g; ALTER TABLE big ADD PRIMARY KEY (id)`, rows))
	ctx := context.Background()
	tbl := connectors.TableRef{Schema: "public", Name: "big"}
	slot := createSlot(b, c, tbl)
	srv.Exec("src", fmt.Sprintf(`DO $$ BEGIN FOR b IN 0..%[1]d - 1 LOOP
		UPDATE big SET name = 'changed ' || id, amount = amount + 1 WHERE id %% 20 = 1 AND id > b * 10000 AND id <= (b + 1) * 10000;
		DELETE FROM big WHERE id %% 100 = 2 AND id > b * 10000 AND id <= (b + 1) * 10000;
		INSERT INTO big SELECT %[2]d + b * 400 + g, 'new ' || g, 1.00, now(), true FROM generate_series(1, 400) g;
		COMMIT; END LOOP; END $$`, changes/1000, rows))
	cols, err := c.Columns(ctx, tbl)
	if err != nil {
		b.Fatal(err)
	}
	peek := peekChanges(b, srv.URL("src"), slot)
	b.ResetTimer()
	var took time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		h := &countingHandler{}
		streamWith(b, c, slot, h, postgres.StreamOptions{Columns: map[string][]connectors.Column{tbl.String(): cols}, Binary: true})
		took += time.Since(start)
		if h.changes != changes || h.commits != changes/1000 {
			b.Fatalf("read %d changes in %d transactions, want %d in %d", h.changes, h.commits, changes, changes/1000)
		}
	}
	per := took / time.Duration(b.N)
	fmt.Printf("cdc read: %d changes in %s (%.2f µs a change); the server decoding them alone %s, ratio %.2f\n",
		changes, per.Round(time.Millisecond), per.Seconds()*1e6/float64(changes), peek.Round(time.Millisecond), per.Seconds()/peek.Seconds())
	b.ReportMetric(per.Seconds()*1e6/float64(changes), "µs/change")
}

// peekChanges times the server decoding the slot's changes with nobody to
// send them to, the best a stream could do.
func peekChanges(b *testing.B, url, slot string) time.Duration {
	b.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	start := time.Now()
	var n int64
	err = conn.QueryRow(ctx, "SELECT count(*) FROM pg_logical_slot_peek_binary_changes($1::name, NULL, NULL, 'proto_version', '1', 'publication_names', $2::text)", slot, slot).Scan(&n)
	if err != nil {
		b.Fatalf("peek the slot's changes: %v", err)
	}
	return time.Since(start)
}

// countingHandler counts a stream's changes and commits.
type countingHandler struct{ changes, commits int }

func (h *countingHandler) Change(context.Context, postgres.Change) error { h.changes++; return nil }
func (h *countingHandler) Commit(context.Context, pglogrepl.LSN) error   { h.commits++; return nil }
