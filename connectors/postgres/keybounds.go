package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
)

var _ connectors.KeyBounder = (*Connector)(nil)

// KeyBounds reads min and max of an integer key column: with the primary
// key's index, two index probes, not a scan.
func (c *Connector) KeyBounds(ctx context.Context, t connectors.TableRef, column string) (int64, int64, bool, error) {
	col := pgx.Identifier{column}.Sanitize()
	sql := "SELECT min(" + col + ")::bigint, max(" + col + ")::bigint FROM " + pgx.Identifier{t.Schema, t.Name}.Sanitize()
	rows, err := rowsOf(ctx, c, sql, func(row pgx.CollectableRow) ([2]*int64, error) {
		var b [2]*int64
		err := row.Scan(&b[0], &b[1])
		return b, err
	})
	if err != nil || len(rows) == 0 || rows[0][0] == nil || rows[0][1] == nil {
		return 0, 0, false, err
	}
	return *rows[0][0], *rows[0][1], true, nil
}

var _ connectors.KeyQuantiler = (*Connector)(nil)

// quantilesSQL reads the planner's histogram of a column: about 100 bounds
// of equal-row buckets (for a unique key, of all its values) as of the last
// ANALYZE; none for a table never analyzed.
const quantilesSQL = `SELECT histogram_bounds::text::bigint[] FROM pg_catalog.pg_stats
WHERE schemaname = $1 AND tablename = $2 AND attname = $3 AND histogram_bounds IS NOT NULL`

// KeyQuantiles picks n-1 evenly spaced bounds of the column's histogram.
func (c *Connector) KeyQuantiles(ctx context.Context, t connectors.TableRef, column string, n int) ([]int64, bool, error) {
	if c.redshift {
		return nil, false, nil // no pg_stats histograms
	}
	rows, err := rowsOf(ctx, c, quantilesSQL, func(row pgx.CollectableRow) ([]int64, error) {
		var bounds []int64
		err := row.Scan(&bounds)
		return bounds, err
	}, t.Schema, t.Name, column)
	if err != nil || len(rows) == 0 || len(rows[0]) < 3 || n < 2 {
		return nil, false, err
	}
	return connectors.EvenCuts(rows[0], n), true, nil
}
