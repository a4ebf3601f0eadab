package sqlcols

import (
	"sync"
)

// ParseCache keeps recently parsed statements: a scheduled job reports the
// same SQL on every run, and parsing is most of the cost of reading it. It
// holds at most maxBytes of statement text (its syntax trees take a few
// tens of times that) and forgets the oldest first. Safe for concurrent use;
// a Parsed is only read once built.
type ParseCache struct {
	mu       sync.Mutex
	maxBytes int
	bytes    int
	entries  map[cacheKey]*Parsed
	order    []cacheKey // oldest first
}

type cacheKey struct {
	dialect Dialect
	sql     string
}

// NewParseCache returns a cache holding up to maxBytes of statement text.
func NewParseCache(maxBytes int) *ParseCache {
	return &ParseCache{maxBytes: maxBytes, entries: map[cacheKey]*Parsed{}}
}

// Parse is Parse, answered from the cache when sql was parsed recently.
// Failures are not kept.
func (c *ParseCache) Parse(sql string, dialect Dialect) (*Parsed, error) {
	key := cacheKey{dialect: dialect, sql: sql}
	c.mu.Lock()
	p, ok := c.entries[key]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := Parse(sql, dialect)
	if err != nil || p.uncacheable || len(sql) > c.maxBytes {
		return p, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok {
		c.entries[key] = p
		c.order = append(c.order, key)
		c.bytes += len(sql)
		for c.bytes > c.maxBytes {
			oldest := c.order[0]
			c.order = c.order[1:]
			delete(c.entries, oldest)
			c.bytes -= len(oldest.sql)
		}
	}
	return p, nil
}
