package lake

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

func TestRemoveOrphanFiles(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), col("v", connectors.KindString)}
	f.load("o", "t", cols, [][]any{{int64(1), "a"}, {int64(2), "b"}}, LoadAppend)
	f.load("o", "t", cols, [][]any{{int64(2), "c"}}, LoadMerge, "id")
	f.load("o", "t", cols, [][]any{{int64(3), "d"}}, LoadOverwrite) // older files stay for time travel
	crashed := f.stage("o", "t", cols, [][]any{{int64(9), "never committed"}})
	stray := filepath.Join(f.lake.DataPath(), "o", "stray.tmp")
	if err := os.WriteFile(stray, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	scheduled := filepath.Join(f.lake.DataPath(), "o", "t", "expired.parquet")
	if err := os.WriteFile(scheduled, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(f.ctx, `INSERT INTO lake_test.ducklake_files_scheduled_for_deletion VALUES (99, 'o/t/expired.parquet', true, now() - interval '2 hours')`); err != nil {
		t.Fatal(err)
	}

	// Young files are spared: they may belong to a commit in progress.
	n, err := f.lake.RemoveOrphanFiles(f.ctx, time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("removed %d (%v), want only the scheduled file", n, err)
	}
	if _, err := os.Stat(crashed[0].Path); err != nil {
		t.Fatal("a young orphan was removed")
	}
	old := time.Now().Add(-2 * time.Hour)
	all := 0
	_ = filepath.Walk(f.lake.DataPath(), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			all++
			return os.Chtimes(p, old, old)
		}
		return nil
	})
	n, err = f.lake.RemoveOrphanFiles(f.ctx, time.Hour)
	if err != nil || n != 2 {
		t.Fatalf("removed %d of %d files (%v), want the crashed writer's file and the stray", n, all, err)
	}
	for _, p := range []string{crashed[0].Path, stray, scheduled} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("%s was kept", p)
		}
	}
	var count int64
	_ = f.pool.QueryRow(f.ctx, `SELECT count(*) FROM lake_test.ducklake_files_scheduled_for_deletion`).Scan(&count)
	if count != 0 {
		t.Fatal("the scheduled row was kept")
	}
	for s := int64(1); s <= 3; s++ {
		f.query(`SELECT * FROM o.t`, QueryOptions{Snapshot: &s}) // every snapshot still reads
	}
	if got := f.one(`SELECT v FROM o.t`); got != "d" {
		t.Fatalf("v = %v", got)
	}
}
