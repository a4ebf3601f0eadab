package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/internal/testenv/pgcluster"
)

// cdcBenchRows is the cdc benchmark's table size: SLUICE_BENCH_CDC_ROWS,
// 1,000,000 by default (the goal is for 10,000,000; set it so).
func cdcBenchRows(b *testing.B) int { return benchRows(b, "SLUICE_BENCH_CDC_ROWS", 1_000_000, 10000) }

// BenchmarkSyncCDC measures a cdc run that applies changes to a tenth of a
// table's rows (half of them updates, a tenth deletes, the rest inserts, in
// transactions of a thousand)
// against the baseline of a full merge of the same table into the same
// lake table (every row read and merged on its key, no delete detection),
// each on a fresh child worker, printing both times, the ratio (goal <=
// 0.2) and the cdc worker's peak RSS (goal <= 512 MiB). The source is a
// private wal_level=logical cluster.
func BenchmarkSyncCDC(b *testing.B) {
	rows := cdcBenchRows(b)
	changes := rows / 10
	s := newSyncBench(b)
	srv := pgcluster.StartLogical(b)
	srv.Exec("postgres", "CREATE ROLE capture LOGIN REPLICATION")
	srv.Exec("postgres", "CREATE DATABASE src OWNER capture")
	srv.Exec("src", fmt.Sprintf(`SET ROLE capture; CREATE TABLE big AS SELECT g::bigint AS id, 'customer ' || g AS name,
		((g %% 100000) * 1.25)::numeric(12,2) AS amount, timestamptz '2024-01-01' + g * interval '1 second' AS updated_at,
		g %% 3 = 0 AS active FROM generate_series(1, %d) g; ALTER TABLE big ADD PRIMARY KEY (id)`, rows))
	srv.Exec("src", "VACUUM ANALYZE big")
	setup := s.startWorker(b, "setup")
	res := s.env.Do(b, http.MethodPost, "/v1/api/integrations", s.token, map[string]any{"type": "postgres", "name": "Busy", "credentials": srv.Credentials("src", "capture")})
	setup.stop(b)
	if res.Status != http.StatusCreated {
		b.Fatalf("create postgres: %d %s", res.Status, res.Body)
	}
	var created struct {
		Integration struct {
			ID string `json:"id"`
		} `json:"integration"`
	}
	must(b, json.Unmarshal(res.Body, &created))
	s.id = created.Integration.ID
	for i := 0; i < b.N; i++ {
		s.configure(b, "merge", map[string]any{"name": "public.big", "delete_mode": "keep"})
		s.runSync(b, "load")
		merge := s.runSync(b, "full-merge")
		res := s.env.Do(b, http.MethodPost, "/v1/api/integrations/"+s.id+"/sync", s.token, map[string]any{
			"dest_schema": "BENCH", "schedule": "daily", "load_method": "cdc", "delete_mode": "hard", "tables": []any{"public.big"}})
		if res.Status != http.StatusOK {
			b.Fatalf("configure cdc: %d %s", res.Status, res.Body)
		}
		snapshot := s.runSync(b, "cdc-snapshot")
		updates, deletes, inserts := changes/2, changes/10, changes-changes/2-changes/10
		// The changes commit a thousand at a time, as a busy table's do.
		srv.Exec("src", fmt.Sprintf(`DO $$ BEGIN FOR b IN 0..%[1]d - 1 LOOP
			UPDATE big SET name = 'changed ' || id, amount = amount + 1 WHERE id %% 20 = 1 AND id > b * 10000 AND id <= (b + 1) * 10000;
			DELETE FROM big WHERE id %% 100 = 2 AND id > b * 10000 AND id <= (b + 1) * 10000;
			INSERT INTO big SELECT %[2]d + b * 400 + g, 'new ' || g, 1.00, now(), true FROM generate_series(1, 400) g;
			COMMIT; END LOOP; END $$`, changes/1000, rows))
		floor := sourceDecodingTime(b, srv)
		apply := s.runSync(b, "cdc-apply")
		want := int64(rows - deletes + inserts)
		if n := s.lakeCount(b, "SELECT count(*) AS n FROM BENCH.big"); n != want {
			b.Fatalf("lake rows after the cdc run: %d, want %d", n, want)
		}
		if n := s.lakeCount(b, "SELECT count(*) AS n FROM BENCH.big WHERE name LIKE 'changed %'"); n != int64(updates) {
			b.Fatalf("updated rows in the lake: %d, want %d", n, updates)
		}
		ratio := apply.Wall.Seconds() / merge.Wall.Seconds()
		fmt.Printf("sync cdc: %d rows, %d changed (%d updates, %d deletes, %d inserts); full merge %s (peak RSS %.0f MiB); cdc snapshot %s\n",
			rows, changes, updates, deletes, inserts, merge.Wall.Round(time.Millisecond), merge.PeakMB, snapshot.Wall.Round(time.Millisecond))
		fmt.Printf("sync cdc: apply %s, ratio %.3f of the full merge (goal <= 0.2: %s); worker peak RSS %.0f MiB (goal <= 512: %s); worker CPU %s (full merge %s)\n",
			apply.Wall.Round(time.Millisecond), ratio, verdict(ratio <= 0.2), apply.PeakMB, verdict(apply.PeakMB <= 512),
			apply.CPU.Round(time.Millisecond), merge.CPU.Round(time.Millisecond))
		fmt.Printf("sync cdc: the source alone decoding the same changes from a copy of the slot took %s, %.3f of the full merge: no run reading the slot can apply them faster\n",
			floor.Round(time.Millisecond), floor.Seconds()/merge.Wall.Seconds())
		b.ReportMetric(ratio, "cdc/merge(<=0.2)")
		b.ReportMetric(apply.PeakMB, "peak-RSS-MiB(<=512)")
	}
}

// sourceDecodingTime is how long the source takes to decode, and send, the
// changes waiting in the sync's slot with nothing else to do: it reads them
// through a temporary copy of the slot, so the run still finds them all.
// Logical decoding runs on one backend, so this bounds any run from below.
func sourceDecodingTime(b *testing.B, srv *pgcluster.Server) time.Duration {
	b.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, srv.URL("src"))
	must(b, err)
	defer conn.Close(ctx)
	var slot, publication string
	must(b, conn.QueryRow(ctx, `SELECT slot_name FROM pg_replication_slots WHERE plugin = 'pgoutput' AND NOT temporary`).Scan(&slot))
	must(b, conn.QueryRow(ctx, `SELECT pubname FROM pg_publication`).Scan(&publication))
	_, err = conn.Exec(ctx, `SELECT pg_copy_logical_replication_slot($1, 'bench_decoding_floor', true)`, slot)
	must(b, err)
	start := time.Now()
	var messages int64
	must(b, conn.QueryRow(ctx, `SELECT count(*) FROM pg_logical_slot_get_binary_changes('bench_decoding_floor', NULL, NULL,
		'proto_version', '1', 'publication_names', $1::text, 'binary', 'true')`, publication).Scan(&messages))
	took := time.Since(start)
	if messages == 0 {
		b.Fatalf("the copy of slot %s had no changes", slot)
	}
	return took
}
