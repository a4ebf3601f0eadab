package mysql

import (
	"context"
	"database/sql"

	"github.com/sluice-dev/sluice/connectors"
)

var _ connectors.RowEstimator = (*Connector)(nil)

// estimateSQL reads InnoDB's statistics (table_rows is an estimate for
// InnoDB and NULL for views).
const estimateSQL = `SELECT table_rows FROM information_schema.tables WHERE table_schema = ? AND table_name = ? AND table_type = 'BASE TABLE'`

// EstimateRows answers the source's statistics for t, not a count.
func (c *Connector) EstimateRows(ctx context.Context, t connectors.TableRef) (int64, bool, error) {
	schema := t.Schema
	if schema == "" {
		schema = c.cfg.DBName
	}
	var n sql.NullInt64
	err := c.scanRows(ctx, estimateSQL, []any{schema, t.Name}, func(rows *sql.Rows) error { return rows.Scan(&n) })
	if err != nil || !n.Valid {
		return 0, false, err
	}
	return n.Int64, true, nil
}
