package chaos

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/lake"
)

// lakeFiles is what the team lake's directory and catalog hold.
type lakeFiles struct {
	// OnDisk counts the Parquet files under the lake's data path.
	OnDisk int
	// Referenced counts the data and delete files of any snapshot.
	Referenced int
}

// openTeamLake opens team "chaos"'s lake the way the worker does.
func (s *stack) openTeamLake(t *testing.T) (*lake.Lake, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, s.opts.DatabaseURL)
	if err != nil {
		t.Fatalf("open sluice's database: %v", err)
	}
	t.Cleanup(pool.Close)
	var team uuid.UUID
	if err := pool.QueryRow(ctx, "SELECT id FROM teams WHERE name = 'chaos'").Scan(&team); err != nil {
		t.Fatalf("find team chaos: %v", err)
	}
	lk, err := lake.Open(ctx, pool, lake.CatalogSchemaFor(team), filepath.Join(s.opts.DataDir, "lake", team.String()))
	if err != nil {
		t.Fatalf("open the team lake: %v", err)
	}
	return lk, pool
}

// countLakeFiles counts the lake's Parquet files on disk and in its catalog.
func countLakeFiles(t *testing.T, lk *lake.Lake, pool *pgxpool.Pool) lakeFiles {
	t.Helper()
	var out lakeFiles
	err := filepath.WalkDir(lk.DataPath(), func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.IsDir() && strings.HasSuffix(path, ".parquet") {
			out.OnDisk++
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk the lake: %v", err)
	}
	schema := lk.CatalogSchema()
	err = pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM `+schema+`.ducklake_data_file) +
		(SELECT count(*) FROM `+schema+`.ducklake_delete_file)`).Scan(&out.Referenced)
	if err != nil {
		t.Fatalf("count the catalog's files: %v", err)
	}
	return out
}

// orphanCheck checks that the runs' own cleanup (at the end of every run,
// with the short grace workerTuning sets) left exactly the files the
// catalog references, then runs the cleanup once more with no grace (the
// worker is stopped, so nothing is being written) and checks it finds
// nothing. It returns how many orphans the runs' cleanup removed.
func (s *stack) orphanCheck(t *testing.T) int {
	t.Helper()
	lk, pool := s.openTeamLake(t)
	files := countLakeFiles(t, lk, pool)
	if files.OnDisk != files.Referenced {
		t.Errorf("after the runs the lake holds %d Parquet files but its catalog references %d", files.OnDisk, files.Referenced)
	}
	removed, err := lk.RemoveOrphanFiles(context.Background(), 0)
	if err != nil {
		t.Fatalf("remove orphan files: %v", err)
	}
	if removed != 0 {
		t.Errorf("a cleanup after the runs removed %d files the runs' own cleanup left", removed)
	}
	cleaned := s.workerLogSum("removed orphan lake files", "files")
	t.Logf("lake files: %d on disk, %d referenced; the runs' cleanup had removed %d orphans", files.OnDisk, files.Referenced, cleaned)
	return cleaned
}
