package lake

import (
	"context"
	"sync"
)

// cacheLease pins the cached files one read fetched until the read ends,
// so eviction cannot remove a file DuckDB has not opened yet, however long
// the read runs (a merge over a large table); Cache.Hold protects reads
// that hold no lease.
type cacheLease struct {
	cache *Cache
	mu    sync.Mutex
	paths []string
}

type leaseKey struct{}

// withLease returns a context whose fetches pin their files, and the
// function that unpins them. Without a cache, or inside another lease (a
// commit's attempt within the commit), it does nothing.
func withLease(ctx context.Context, cache *Cache) (context.Context, func()) {
	if _, leased := ctx.Value(leaseKey{}).(*cacheLease); cache == nil || leased {
		return ctx, func() {}
	}
	lease := &cacheLease{cache: cache}
	return context.WithValue(ctx, leaseKey{}, lease), lease.release
}

// pin keeps path until the context's lease, if any, is released.
func pinFor(ctx context.Context, path string) {
	lease, _ := ctx.Value(leaseKey{}).(*cacheLease)
	if lease == nil {
		return
	}
	lease.cache.pin(path, 1)
	lease.mu.Lock()
	lease.paths = append(lease.paths, path)
	lease.mu.Unlock()
}

func (l *cacheLease) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.paths {
		l.cache.pin(p, -1)
	}
	l.paths = nil
	l.cache.evict()
}
