package sqlcols

import (
	"errors"
	"slices"
	"sync"
)

// ParseCache keeps recently parsed statements: a scheduled job reports the
// same SQL on every run, and parsing is most of the cost of reading it. Of
// a statement whose lineage does not depend on schemas it keeps only that
// lineage; of others the syntax tree. It holds roughly maxBytes (statement
// text, lineage and trees, estimated) and forgets the oldest first. Safe
// for concurrent use; a Parsed is only read once built.
//
// Why not every tree: a tree is thousands of small objects, and with a
// megabyte of statements cached (a few hundred trees) each garbage
// collection walked them all; parsing a new statement cost about twice as
// much with such a cache as without one.
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
	if err != nil {
		return nil, err
	}
	entry := cacheEntry(p, len(sql))
	if entry == nil || entry.weight > c.maxBytes {
		return p, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok {
		c.entries[key] = entry
		c.order = append(c.order, key)
		c.bytes += entry.weight
		for c.bytes > c.maxBytes {
			oldest := c.order[0]
			c.order = c.order[1:]
			c.bytes -= c.entries[oldest].weight
			delete(c.entries, oldest)
		}
	}
	return entry, nil
}

// cacheEntry is what the cache keeps of a parse: its lineage when no
// statement depends on schemas, else the parse itself when it can be
// analysed again; nil when neither.
func cacheEntry(p *Parsed, sqlBytes int) *Parsed {
	statements, err := p.Lineage(nil)
	switch {
	case errors.Is(err, ErrNoLineage):
		return &Parsed{weight: sqlBytes, analyse: func(SchemaLookup) ([]Statement, error) { return nil, nil }}
	case err == nil && !slices.ContainsFunc(statements, func(st Statement) bool { return st.NeedsSchemas }):
		return &Parsed{weight: 2 * sqlBytes, analyse: func(SchemaLookup) ([]Statement, error) {
			return cloneStatements(statements), nil
		}}
	case err != nil || p.uncacheable:
		return nil
	}
	return p
}

// cloneStatements copies statements deeply: callers may append to what
// Lineage returns.
func cloneStatements(statements []Statement) []Statement {
	out := slices.Clone(statements)
	for i := range out {
		out[i].Columns = slices.Clone(out[i].Columns)
		for j := range out[i].Columns {
			out[i].Columns[j].Sources = slices.Clone(out[i].Columns[j].Sources)
		}
		out[i].Inputs = slices.Clone(out[i].Inputs)
		out[i].Unresolved = slices.Clone(out[i].Unresolved)
	}
	return out
}
