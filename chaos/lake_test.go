package chaos

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	pool, team := s.teamDatabase(t)
	lk, err := lake.Open(context.Background(), pool, lake.CatalogSchemaFor(team), filepath.Join(s.opts.DataDir, "lake", team.String()))
	if err != nil {
		t.Fatalf("open the team lake: %v", err)
	}
	return lk, pool
}

// teamDatabase opens sluice's database and finds team chaos.
func (s *stack) teamDatabase(t *testing.T) (*pgxpool.Pool, uuid.UUID) {
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
	return pool, team
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

// orphanGrace is the grace workerTuning gives orphan lake files.
const orphanGrace = 2 * time.Second

// orphanCheck checks that the runs' own cleanup (at the end of every run,
// with the short grace workerTuning sets) left no file that the catalog
// does not reference, except files younger than the grace when the last
// run (final) ended, and that a cleanup with no grace (the worker is
// stopped, so nothing is being written) then leaves exactly the files the
// catalog references. It returns how many orphans the runs' cleanup removed.
func (s *stack) orphanCheck(t *testing.T, final map[string]any) int {
	t.Helper()
	lk, pool := s.openTeamLake(t)
	finishedAt, err := time.Parse(time.RFC3339Nano, fmt.Sprint(final["finished_at"]))
	if err != nil {
		t.Fatalf("the last run's finished_at %v: %v", final["finished_at"], err)
	}
	for _, f := range unreferencedFiles(t, lk, pool) {
		if f.modTime.Before(finishedAt.Add(-orphanGrace - time.Second)) {
			t.Errorf("orphan %s (%d bytes, written %s before the last run ended) outlived the runs' cleanup",
				f.path, f.size, finishedAt.Sub(f.modTime).Round(time.Millisecond))
		}
	}
	young, err := lk.RemoveOrphanFiles(context.Background(), 0)
	if err != nil {
		t.Fatalf("remove orphan files: %v", err)
	}
	files := countLakeFiles(t, lk, pool)
	if files.OnDisk != files.Referenced {
		t.Errorf("after cleanup the lake holds %d Parquet files but its catalog references %d", files.OnDisk, files.Referenced)
	}
	cleaned := s.workerLogSum("removed orphan lake files", "files")
	t.Logf("lake files: %d on disk, %d referenced; the runs' cleanup removed %d orphans, %d younger than its grace remained",
		files.OnDisk, files.Referenced, cleaned, young)
	return cleaned
}

// lakeFile is a file under the lake's data path.
type lakeFile struct {
	path    string
	size    int64
	modTime time.Time
}

// catalogFileNames are the names of the data and delete files the lake's
// catalog references.
func catalogFileNames(t *testing.T, lk *lake.Lake, pool *pgxpool.Pool) map[string]bool {
	t.Helper()
	schema := lk.CatalogSchema()
	rows, err := pool.Query(context.Background(), `SELECT path FROM `+schema+`.ducklake_data_file
		UNION ALL SELECT path FROM `+schema+`.ducklake_delete_file`)
	if err != nil {
		t.Fatalf("list the catalog's files: %v", err)
	}
	defer rows.Close()
	known := map[string]bool{}
	for rows.Next() {
		var p string
		if rows.Scan(&p) == nil {
			known[filepath.Base(p)] = true
		}
	}
	return known
}

// unreferencedFiles lists the files under the lake's data path whose name
// no catalog row has.
func unreferencedFiles(t *testing.T, lk *lake.Lake, pool *pgxpool.Pool) []lakeFile {
	t.Helper()
	known := catalogFileNames(t, lk, pool)
	var out []lakeFile
	_ = filepath.WalkDir(lk.DataPath(), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || known[e.Name()] {
			return nil //nolint:nilerr // a file gone meanwhile is no orphan
		}
		if info, err := e.Info(); err == nil {
			out = append(out, lakeFile{path: strings.TrimPrefix(path, lk.DataPath()), size: info.Size(), modTime: info.ModTime()})
		}
		return nil
	})
	return out
}
