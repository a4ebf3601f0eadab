package lake

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

// RemoveOrphanFiles deletes files under the data path that no snapshot
// references, such as those a crashed writer staged, once they are older
// than the grace period, and the files ducklake_files_scheduled_for_deletion
// lists whose schedule is older than the grace period. Files a writer staged
// are unreferenced until their commit, so the grace period must exceed the
// longest write. It returns how many files it removed.
func (l *Lake) RemoveOrphanFiles(ctx context.Context, olderThan time.Duration) (int, error) {
	cutoff := time.Now().Add(-olderThan)
	removed, err := l.removeScheduled(ctx, cutoff)
	if err != nil {
		return removed, err
	}
	referenced, err := l.referencedFiles(ctx)
	if err != nil {
		return removed, err
	}
	// On object storage the data directory holds working copies: orphans
	// there (a crashed writer's, half-downloaded ones) are removed but not
	// counted, the bucket's are.
	local := DirStorage{root: l.dataPath}
	n, err := l.removeOrphansIn(ctx, local, referenced, cutoff)
	if l.store == nil || err != nil {
		return removed + n, err
	}
	n, err = l.removeOrphansIn(ctx, l.store, referenced, cutoff)
	return removed + n, err
}

// removeOrphansIn deletes the files in store that no snapshot references,
// written before cutoff.
func (l *Lake) removeOrphansIn(ctx context.Context, store Storage, referenced map[string]bool, cutoff time.Time) (int, error) {
	objects, err := store.List(ctx, "")
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, o := range objects {
		path := l.localPath(o.Key)
		if referenced[path] || o.Modified.After(cutoff) {
			continue
		}
		if err := store.Delete(ctx, o.Key); err != nil {
			return removed, fmt.Errorf("remove orphan: %w", err)
		}
		if l.cache != nil {
			l.cache.forget(path)
		}
		removed++
	}
	return removed, nil
}

// referencedFiles returns the absolute path of every data and delete file
// any snapshot refers to, read by one statement so a commit is seen whole.
func (l *Lake) referencedFiles(ctx context.Context) (map[string]bool, error) {
	rows, err := l.pool.Query(ctx, l.q(`
		WITH tables AS (SELECT DISTINCT ON (t.table_id) t.table_id, t.path AS tpath, COALESCE(t.path_is_relative, true) AS trel,
				s.path AS spath, COALESCE(s.path_is_relative, true) AS srel
			FROM {S}.ducklake_table t JOIN {S}.ducklake_schema s USING (schema_id) ORDER BY t.table_id, t.begin_snapshot DESC),
		files AS (SELECT table_id, path, COALESCE(path_is_relative, true) AS rel FROM {S}.ducklake_data_file
			UNION ALL SELECT table_id, path, COALESCE(path_is_relative, true) FROM {S}.ducklake_delete_file)
		SELECT f.path, f.rel, t.tpath, t.trel, t.spath, t.srel FROM files f JOIN tables t USING (table_id)`))
	if err != nil {
		return nil, fmt.Errorf("list referenced files: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var path string
		var rel, trel, srel bool
		var tpath, spath *string
		if err := rows.Scan(&path, &rel, &tpath, &trel, &spath, &srel); err != nil {
			return nil, fmt.Errorf("list referenced files: %w", err)
		}
		dir := resolvePath(resolvePath(l.dataPath, spath, srel), tpath, trel)
		out[resolvePath(dir, &path, rel)] = true
	}
	return out, rows.Err()
}

// removeScheduled deletes the files scheduled for deletion before cutoff and
// their rows. Their paths are relative to the data path.
func (l *Lake) removeScheduled(ctx context.Context, cutoff time.Time) (int, error) {
	rows, err := l.pool.Query(ctx, l.q(`DELETE FROM {S}.ducklake_files_scheduled_for_deletion
		WHERE schedule_start < $1 RETURNING path, COALESCE(path_is_relative, true)`), cutoff)
	if err != nil {
		return 0, fmt.Errorf("read files scheduled for deletion: %w", err)
	}
	defer rows.Close()
	removed := 0
	for rows.Next() {
		var path string
		var rel bool
		if err := rows.Scan(&path, &rel); err != nil {
			return removed, fmt.Errorf("read files scheduled for deletion: %w", err)
		}
		abs := resolvePath(l.dataPath, &path, rel)
		if !strings.HasPrefix(abs, l.dataPath+string(os.PathSeparator)) {
			continue // never delete outside the lake, whatever the catalog says
		}
		if l.store != nil {
			l.removeStored(ctx, []string{abs}) // the working copy, then the object
			removed++
			continue
		}
		if err := os.Remove(abs); err == nil {
			removed++
		} else if !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("remove scheduled file %s: %w", abs, err)
		}
	}
	return removed, rows.Err()
}
