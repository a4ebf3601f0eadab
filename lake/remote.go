package lake

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// Option changes how Open sets a lake up.
type Option func(*Lake)

// WithStorage keeps the lake's files in store (a team's prefix of a bucket)
// rather than only in the data directory, which becomes the lake's working
// directory: writers stage files there and upload them before the commit
// that references them, and readers find the files they need there,
// downloaded through cache. The catalog's data_path is store's URL.
func WithStorage(store Storage, cache *Cache) Option {
	return func(l *Lake) {
		l.store = store
		if cache == nil {
			cache = NewCache(0)
		}
		l.cache = cache
	}
}

// StorageURL returns where the lake's files live for other readers: the
// bucket URL on object storage, else the data directory (ending in "/").
func (l *Lake) StorageURL() string {
	if l.store != nil {
		return l.store.URL()
	}
	return l.dataPath + "/"
}

// keyOf returns the storage key of a file under the data directory.
func (l *Lake) keyOf(path string) (string, error) {
	rel, err := filepath.Rel(l.dataPath, filepath.Clean(path))
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("file %s is outside the lake's data path", path)
	}
	return filepath.ToSlash(rel), nil
}

// localPath returns where a key's file lives in the data directory.
func (l *Lake) localPath(key string) string {
	return filepath.Join(l.dataPath, filepath.FromSlash(key))
}

// upload stores a finished file the lake wrote under its key, before any
// commit references it, and returns the key. Without storage it does
// nothing: the file is where readers find it.
func (l *Lake) upload(ctx context.Context, path string) (string, error) {
	key, err := l.keyOf(path)
	if err != nil || l.store == nil {
		return key, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("upload: %w", err)
	}
	if err := l.store.Put(ctx, key, path); err != nil {
		return "", err
	}
	l.cache.record(path, info.Size())
	return key, nil
}

// uploadAll uploads files a commit wrote, a few at a time.
func (l *Lake) uploadAll(ctx context.Context, paths []string) error {
	if l.store == nil || len(paths) == 0 {
		return nil
	}
	return eachPath(ctx, paths, 4, func(ctx context.Context, p string) error {
		_, err := l.upload(ctx, p)
		return err
	})
}

// eachPath runs fn on every path, limit at a time, until one fails.
func eachPath(ctx context.Context, paths []string, limit int, fn func(context.Context, string) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for _, p := range paths {
		g.Go(func() error { return fn(ctx, p) })
	}
	return g.Wait()
}

// removeStored deletes files from the data directory and, on object
// storage, their objects; best effort, as what stays is an orphan that
// RemoveOrphanFiles finds. It gives up after a minute: callers clean up
// after a failure, often with a context that no longer ends.
func (l *Lake) removeStored(ctx context.Context, paths []string) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for _, p := range paths {
		_ = os.Remove(p)
		if l.store == nil {
			continue
		}
		l.cache.forget(p)
		if key, err := l.keyOf(p); err == nil {
			_ = l.store.Delete(ctx, key)
		}
	}
}

// fetch makes files present in the data directory before DuckDB reads them.
func (l *Lake) fetch(ctx context.Context, paths []string) error {
	if l.store == nil || len(paths) == 0 {
		return nil
	}
	err := eachPath(ctx, paths, 8, func(ctx context.Context, p string) error {
		key, err := l.keyOf(p)
		if err != nil {
			return err
		}
		return l.cache.ensure(ctx, l.store, key, p)
	})
	if err != nil {
		return fmt.Errorf("fetch lake files: %w", err)
	}
	return nil
}

// fetchTables makes the data and delete files of the tables wanted (all
// when want is nil) present before DuckDB reads them. Every read of a
// table's files goes through loadFilesOf, which calls it.
func (l *Lake) fetchTables(ctx context.Context, tables []*lakeTable, files map[int64][]*dataFile, want func(*lakeTable) bool) error {
	if l.store == nil {
		return nil
	}
	var paths []string
	for _, t := range tables {
		if want == nil || want(t) {
			paths = l.appendFilePaths(paths, t, files[t.ID])
		}
	}
	return l.fetch(ctx, paths)
}

// fetchFiles makes some of a table's data files and their delete files
// present, for the commits that read only some (a merge reads every live
// file, an append or overwrite none, compaction its small files).
func (l *Lake) fetchFiles(ctx context.Context, t *lakeTable, files []*dataFile) error {
	if l.store == nil {
		return nil
	}
	return l.fetch(ctx, l.appendFilePaths(nil, t, files))
}

func (l *Lake) appendFilePaths(paths []string, t *lakeTable, files []*dataFile) []string {
	for _, f := range files {
		if f.Inlined != nil {
			continue
		}
		paths = append(paths, l.filePath(t, f.Path, f.Relative))
		if d := f.Delete; d != nil && d.Path != "" {
			paths = append(paths, l.filePath(t, d.Path, d.Relative))
		}
	}
	return paths
}

// namedIn selects the tables a query's text names, ignoring case, as a
// word (not inside a longer identifier): the sandbox's views read only
// their own table's files, so a query can read no other. A table named
// only through an escape (a quoted name with doubled quotes) may be missed;
// its read then fails rather than reading wrong data.
func namedIn(query string) func(*lakeTable) bool {
	lower := strings.ToLower(query)
	return func(t *lakeTable) bool { return containsWord(lower, strings.ToLower(t.Name)) }
}

// containsWord reports whether word occurs in s not preceded or followed by
// an identifier character.
func containsWord(s, word string) bool {
	for from := 0; word != ""; {
		i := strings.Index(s[from:], word)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(word)
		if (start == 0 || !identChar(s[start-1])) && (end == len(s) || !identChar(s[end])) {
			return true
		}
		from = start + 1
	}
	return false
}

func identChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80
}

// checkUploaded is checkStaged on object storage: each file must be in the
// bucket under its key (its path's, when it has none) and is fetched into
// this process's data directory.
func (l *Lake) checkUploaded(ctx context.Context, files []StagedFile) ([]StagedFile, error) {
	out := make([]StagedFile, len(files))
	keys, paths := make([]string, len(files)), make([]string, len(files))
	for i, f := range files {
		key := f.Key
		if key == "" {
			var err error
			if key, err = l.keyOf(f.Path); err != nil {
				return nil, fmt.Errorf("staged file %s has no key in the lake's storage", f.Path)
			}
		}
		if !keyInLake(key) {
			return nil, fmt.Errorf("staged file key %q is outside the lake", key)
		}
		f.Key, f.Path = key, l.localPath(key)
		out[i], keys[i], paths[i] = f, key, f.Path
	}
	err := eachPath(ctx, keys, 8, func(ctx context.Context, key string) error {
		_, found, err := l.store.Head(ctx, key)
		if err != nil {
			return fmt.Errorf("staged file: %w", err)
		}
		if !found {
			return fmt.Errorf("staged file %s is not in the lake's storage", key)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, l.fetch(ctx, paths)
}

// RemoveStaged deletes staged files no commit will reference (key files of
// delete detection, rows a commit did not take, ranges of a run that
// failed) from the data directory and, on object storage, from the bucket.
// Files outside the lake are left alone: the list may come from a
// workflow's input.
func (l *Lake) RemoveStaged(ctx context.Context, files []StagedFile) {
	paths := make([]string, 0, len(files))
	for _, f := range files {
		switch {
		case f.Key != "" && keyInLake(f.Key):
			paths = append(paths, l.localPath(f.Key))
		case f.Key == "":
			if _, err := l.keyOf(f.Path); err == nil {
				paths = append(paths, f.Path)
			}
		}
	}
	l.removeStored(ctx, paths)
}

// keyInLake says a storage key stays under the lake's root.
func keyInLake(key string) bool {
	return key != "" && !strings.HasPrefix(key, "/") && !strings.Contains("/"+key+"/", "/../")
}
