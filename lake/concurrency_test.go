package lake

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sluice-dev/sluice/connectors"
)

func TestConcurrentCommits(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), col("writer", connectors.KindInt)}
	const writers, commits, rows = 4, 3, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*commits)
	results := make(chan CommitResult, writers*commits)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for c := 0; c < commits; c++ {
				batch := make([][]any, rows)
				for i := range batch {
					batch[i] = []any{int64((w*commits+c)*rows + i), int64(w)}
				}
				// Half the writers share a table, the others have their own.
				table := "shared"
				if w%2 == 1 {
					table = fmt.Sprintf("own_%d", w)
				}
				wr, err := f.lake.NewTableWriter(f.ctx, "c", table, cols)
				if err != nil {
					errs <- err
					return
				}
				if err := wr.WriteBatch(f.ctx, batch); err != nil {
					errs <- err
					return
				}
				files, err := wr.Finish(f.ctx)
				if err != nil {
					errs <- err
					return
				}
				res, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "c", Table: table, Columns: cols, Method: LoadAppend, Files: files})
				if err != nil {
					errs <- err
					return
				}
				results <- res
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	close(results)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for r := range results {
		if seen[r.SnapshotID] {
			t.Fatalf("two commits got snapshot %d", r.SnapshotID)
		}
		seen[r.SnapshotID] = true
	}
	snaps, err := f.lake.Snapshots(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range snaps {
		if s.ID != int64(i) {
			t.Fatalf("snapshot ids are not consecutive: %d at position %d", s.ID, i)
		}
		if i > 0 && s.Time.Before(snaps[i-1].Time) {
			t.Fatalf("snapshot %d is older than snapshot %d", s.ID, s.ID-1)
		}
	}
	total := f.one(`SELECT (SELECT count(*) FROM c.shared) + (SELECT count(*) FROM c.own_1) + (SELECT count(*) FROM c.own_3)`)
	if total != int64(writers*commits*rows) {
		t.Fatalf("%v rows, want %d", total, writers*commits*rows)
	}
	if d := f.one(`SELECT count(*) - count(DISTINCT id) FROM c.shared`); d != int64(0) {
		t.Fatalf("%v duplicated rows", d)
	}
}

func TestReaderSeesWholeCommits(t *testing.T) {
	f := newFixture(t)
	f.lake.Limits.FileMaxRows = 40 // several files per commit
	cols := []connectors.Column{col("id", connectors.KindInt)}
	const batch = 100
	load := func(i int) {
		rows := make([][]any, batch)
		for j := range rows {
			rows[j] = []any{int64(i*batch + j)}
		}
		f.load("r", "t", cols, rows, LoadAppend)
	}
	load(0)
	done := make(chan struct{})
	var readErr error
	var reads int
	go func() {
		defer close(done)
		for i := 1; i < 6; i++ {
			load(i)
		}
	}()
	for {
		select {
		case <-done:
			if readErr != nil {
				t.Fatal(readErr)
			}
			if reads == 0 {
				t.Fatal("no read ran")
			}
			return
		default:
		}
		res, err := f.lake.Query(f.ctx, `SELECT count(*) FROM r.t`, QueryOptions{})
		if err != nil {
			readErr = err
			continue
		}
		reads++
		if n := res.Rows[0][0].(int64); n%batch != 0 {
			readErr = fmt.Errorf("a reader saw %d rows: part of a commit", n)
		}
	}
}

func TestTimeTravel(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt)}
	first := f.load("tt", "t", cols, [][]any{{int64(1)}}, LoadAppend)
	time.Sleep(20 * time.Millisecond)
	between := time.Now()
	time.Sleep(20 * time.Millisecond)
	f.load("tt", "t", cols, [][]any{{int64(2)}, {int64(3)}}, LoadAppend)

	if got := f.one(`SELECT count(*) FROM tt.t`); got != int64(3) {
		t.Fatalf("now: %v rows", got)
	}
	if got := f.one(`SELECT count(*) FROM tt.t`, QueryOptions{Snapshot: &first.SnapshotID}); got != int64(1) {
		t.Fatalf("at snapshot %d: %v rows", first.SnapshotID, got)
	}
	if got := f.one(`SELECT count(*) FROM tt.t`, QueryOptions{At: &between}); got != int64(1) {
		t.Fatalf("at %s: %v rows", between, got)
	}
	before := time.Now().Add(-time.Hour)
	_, err := f.lake.Query(f.ctx, `SELECT 1`, QueryOptions{At: &before})
	assertQueryError(t, err, connectors.QueryErrNotFound)
	missing := int64(99)
	_, err = f.lake.Query(f.ctx, `SELECT 1`, QueryOptions{Snapshot: &missing})
	assertQueryError(t, err, connectors.QueryErrNotFound)
}

func TestConcurrentOpen(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := Open(f.ctx, f.pool, "lake_fresh", dir)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var snaps, schemas int
	if err := f.pool.QueryRow(f.ctx, `SELECT (SELECT count(*) FROM lake_fresh.ducklake_snapshot), (SELECT count(*) FROM lake_fresh.ducklake_schema)`).Scan(&snaps, &schemas); err != nil {
		t.Fatal(err)
	}
	if snaps != 1 || schemas != 1 {
		t.Fatalf("%d snapshots and %d schemas after concurrent opens", snaps, schemas)
	}
	if _, err := Open(f.ctx, f.pool, "Lake-Bad", dir); err == nil {
		t.Fatal("opened a lake with an invalid schema name")
	}
	id := uuid.MustParse("0b7e0f5e-3c1a-4f7e-9d5e-1a2b3c4d5e6f")
	if got := CatalogSchemaFor(id); got != "lake_0b7e0f5e3c1a4f7e9d5e1a2b3c4d5e6f" || !catalogSchemaRE.MatchString(got) {
		t.Fatalf("CatalogSchemaFor = %s", got)
	}
}

func TestRetryableErrors(t *testing.T) {
	for code, want := range map[string]bool{"40001": true, "40P01": true, "23505": true, "42P01": false} {
		if got := retryable(fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: code})); got != want {
			t.Errorf("retryable(%s) = %v", code, got)
		}
	}
}
