package mysql

import (
	"context"
	"database/sql"

	"github.com/sluice-dev/sluice/connectors"
)

var _ connectors.KeyBounder = (*Connector)(nil)

// KeyBounds reads min and max of an integer key column: with the primary
// key's index, two index probes, not a scan.
func (c *Connector) KeyBounds(ctx context.Context, t connectors.TableRef, column string) (int64, int64, bool, error) {
	schema := t.Schema
	if schema == "" {
		schema = c.cfg.DBName
	}
	col := quoteIdent(column)
	query := "SELECT CAST(min(" + col + ") AS SIGNED), CAST(max(" + col + ") AS SIGNED) FROM " + quoteIdent(schema) + "." + quoteIdent(t.Name)
	var lo, hi sql.NullInt64
	err := c.scanRows(ctx, query, nil, func(rows *sql.Rows) error { return rows.Scan(&lo, &hi) })
	if err != nil || !lo.Valid || !hi.Valid {
		return 0, 0, false, err
	}
	return lo.Int64, hi.Int64, true, nil
}
