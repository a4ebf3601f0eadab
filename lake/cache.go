package lake

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// DefaultCacheBytes bounds a process's cache of lake files on object
// storage unless told otherwise (SLUICE_LAKE_CACHE_BYTES).
const DefaultCacheBytes int64 = 10 << 30

// DefaultCacheHold is how long a file stays after its last use, whatever the
// bound: DuckDB opens a query's files as it reaches them, so a file handed
// to it must outlive the statement.
const DefaultCacheHold = 10 * time.Minute

// Cache is a process's read-through cache of lake files kept on object
// storage, shared by every team's lake. The files are immutable once
// written, so a local copy is never stale. A copy lives at the path the
// lake reads it from (its data directory mirrors the bucket), is downloaded
// under a temporary name and renamed, so DuckDB never reads half a file,
// and concurrent requests for one file download it once. Past MaxBytes the
// files least recently used are removed, except those used within Hold.
type Cache struct {
	// MaxBytes bounds the files the cache knows of.
	MaxBytes int64
	// Hold keeps a file that long after its last use.
	Hold time.Duration

	mu       sync.Mutex
	files    map[string]*cachedFile
	size     int64
	fetching map[string]*fetchCall
	pins     map[string]int // files a running read holds (cacheLease)
}

type cachedFile struct {
	size int64
	used time.Time
}

type fetchCall struct {
	done chan struct{}
	err  error
}

// NewCache returns a cache bounded to maxBytes (DefaultCacheBytes when 0).
func NewCache(maxBytes int64) *Cache {
	if maxBytes <= 0 {
		maxBytes = DefaultCacheBytes
	}
	return &Cache{MaxBytes: maxBytes, Hold: DefaultCacheHold, files: map[string]*cachedFile{}, fetching: map[string]*fetchCall{}, pins: map[string]int{}}
}

// Size returns the bytes of the files the cache holds.
func (c *Cache) Size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

// downloadTimeout bounds one file's download, which outlives the request
// that started it: a query that timed out on a cold cache finds the files
// it started downloading there when it is run again.
const downloadTimeout = 30 * time.Minute

// ensure makes the object under key present at path, downloading it from
// store unless it is there already; the context's lease, if any, holds it
// from before any eviction.
func (c *Cache) ensure(ctx context.Context, store Storage, key, path string) error {
	for {
		c.mu.Lock()
		if call := c.fetching[path]; call != nil {
			c.mu.Unlock()
			select {
			case <-call.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			if call.err != nil {
				return call.err
			}
			continue // downloaded: recorded as used below
		}
		if info, err := os.Stat(path); err == nil {
			added := c.recordLocked(path, info.Size())
			c.mu.Unlock()
			pinFor(ctx, path) // before evicting, so this read keeps it
			if added {
				c.evict()
			}
			return nil
		}
		call := &fetchCall{done: make(chan struct{})}
		c.fetching[path] = call
		c.mu.Unlock()
		go c.download(context.WithoutCancel(ctx), store, key, path, call)
	}
}

// download runs one fetch of key to path for every request waiting on call.
func (c *Cache) download(ctx context.Context, store Storage, key, path string, call *fetchCall) {
	ctx, cancel := context.WithTimeout(ctx, downloadTimeout)
	defer cancel()
	err := download(ctx, store, key, path)
	c.mu.Lock()
	delete(c.fetching, path)
	call.err = err
	c.mu.Unlock()
	close(call.done)
}

// download fetches key into a temporary file beside path and renames it
// into place.
func download(ctx context.Context, store Storage, key, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("cache %s: %w", key, err)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".part-"+uuid.NewString())
	if err := store.Fetch(ctx, key, tmp); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("cache %s: %w", key, err)
	}
	return nil
}

// record notes a file that is in the bucket and on disk (one this process
// uploaded), so it counts against the bound and can be evicted.
func (c *Cache) record(path string, size int64) {
	c.mu.Lock()
	c.recordLocked(path, size)
	c.mu.Unlock()
	c.evict()
}

// recordLocked notes a use of path and reports whether it is new to the
// cache (only then can the cache have grown past its bound).
func (c *Cache) recordLocked(path string, size int64) bool {
	if f := c.files[path]; f != nil {
		c.size += size - f.size
		f.size, f.used = size, time.Now()
		return false
	}
	c.files[path] = &cachedFile{size: size, used: time.Now()}
	c.size += size
	return true
}

// adopt records the lake files an earlier process left in dir, last used
// when they were written, so they count against the bound and go first.
// Files being written are skipped (temporary names start with '.'), as are
// files it knows already.
func (c *Cache) adopt(dir string) {
	_ = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.HasPrefix(e.Name(), ".") || !strings.HasSuffix(e.Name(), ".parquet") {
			return nil //nolint:nilerr // an unreadable entry is left alone
		}
		info, err := e.Info()
		if err != nil {
			return nil //nolint:nilerr // gone meanwhile
		}
		c.mu.Lock()
		if c.files[p] == nil {
			c.files[p] = &cachedFile{size: info.Size(), used: info.ModTime()}
			c.size += info.Size()
		}
		c.mu.Unlock()
		return nil
	})
	c.evict()
}

// pin adds delta to the reads holding path.
func (c *Cache) pin(path string, delta int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pins[path] += delta; c.pins[path] <= 0 {
		delete(c.pins, path)
	}
}

// forget drops a file the lake deleted.
func (c *Cache) forget(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.files[path]; f != nil {
		c.size -= f.size
		delete(c.files, path)
	}
}

// evict removes the least recently used files past the bound, keeping those
// used within Hold and those a running read holds.
func (c *Cache) evict() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.size <= c.MaxBytes {
		return
	}
	paths := make([]string, 0, len(c.files))
	for p := range c.files {
		paths = append(paths, p)
	}
	slices.SortFunc(paths, func(a, b string) int { return c.files[a].used.Compare(c.files[b].used) })
	keepAfter := time.Now().Add(-c.Hold)
	for _, p := range paths {
		f := c.files[p]
		if c.size <= c.MaxBytes || f.used.After(keepAfter) {
			return
		}
		if c.pins[p] > 0 {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			continue // still counted; tried again next time
		}
		c.size -= f.size
		delete(c.files, p)
	}
}
