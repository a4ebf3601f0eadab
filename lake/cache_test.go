package lake

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// slowStorage counts fetches and makes each take a while, so concurrent
// requests overlap.
type slowStorage struct {
	DirStorage
	fetches atomic.Int64
}

func (s *slowStorage) Fetch(ctx context.Context, key, dst string) error {
	s.fetches.Add(1)
	time.Sleep(50 * time.Millisecond)
	return s.DirStorage.Fetch(ctx, key, dst)
}

func TestCacheFetchesAFileOnceAndWholly(t *testing.T) {
	ctx := context.Background()
	store, err := NewDirStorage(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(store.root, "s", "t", "f.parquet")
	if err := os.MkdirAll(filepath.Dir(src), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	slow := &slowStorage{DirStorage: store}
	cache := NewCache(0)
	dst := filepath.Join(t.TempDir(), "s", "t", "f.parquet")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() { errs <- cache.ensure(ctx, slow, "s/t/f.parquet", dst) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := slow.fetches.Load(); n != 1 {
		t.Fatalf("8 concurrent requests fetched %d times, want once", n)
	}
	if info, err := os.Stat(dst); err != nil || info.Size() != 1<<20 || cache.Size() != 1<<20 {
		t.Fatalf("cached copy %v %v, cache size %d", info, err, cache.Size())
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dst), ".*"))
	if len(leftovers) > 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}
	// A request that gives up leaves the download going: the next finds it.
	later := filepath.Join(t.TempDir(), "s", "t", "f.parquet")
	short, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
	defer cancel()
	if err := cache.ensure(short, slow, "s/t/f.parquet", later); err == nil {
		t.Fatal("a request shorter than the download succeeded")
	}
	if err := cache.ensure(ctx, slow, "s/t/f.parquet", later); err != nil || slow.fetches.Load() != 2 {
		t.Fatalf("the next request: %v, %d fetches in all (want the one started before)", err, slow.fetches.Load())
	}

	// A failed download leaves nothing under the file's name.
	if err := cache.ensure(ctx, slow, "s/t/missing.parquet", filepath.Join(filepath.Dir(dst), "missing.parquet")); err == nil {
		t.Fatal("a missing object was cached")
	}
	if entries, _ := os.ReadDir(filepath.Dir(dst)); len(entries) != 1 {
		t.Fatalf("after a failed download the directory holds %d entries", len(entries))
	}
}
