package lake

import (
	"context"

	"github.com/sluice-dev/sluice/connectors"
)

// The lake lists its tables like a connector does.
var _ connectors.Discoverer = (*Lake)(nil)

// currentQuerier is the lake as a connectors.Querier over its current snapshot.
type currentQuerier struct{ l *Lake }

var (
	_ connectors.Querier   = currentQuerier{}
	_ connectors.DialectOf = currentQuerier{}
)

// AsQuerier returns the lake as a connectors.Querier that reads the current
// snapshot, for code that treats every queryable source alike.
func (l *Lake) AsQuerier() connectors.Querier { return currentQuerier{l} }

// Query runs a query at the current snapshot.
func (q currentQuerier) Query(ctx context.Context, sql string, opts connectors.QueryOptions) (*connectors.ResultSet, error) {
	return q.l.Query(ctx, sql, QueryOptions{MaxRows: opts.MaxRows, Timeout: opts.Timeout})
}

// Dialect is DuckDB's.
func (currentQuerier) Dialect() connectors.Dialect { return connectors.DialectDuckDB }
