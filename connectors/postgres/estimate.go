package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
)

var _ connectors.RowEstimator = (*Connector)(nil)

// estimateSQL reads the planner's row estimate; reltuples is -1 until the
// table is first analyzed (then there is no estimate).
const estimateSQL = `
SELECT CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint END
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'm', 'f')`

const redshiftEstimateSQL = `SELECT tbl_rows::bigint FROM svv_table_info WHERE schema = $1 AND "table" = $2`

// EstimateRows answers the source's statistics for t, not a count.
func (c *Connector) EstimateRows(ctx context.Context, t connectors.TableRef) (int64, bool, error) {
	sql := estimateSQL
	if c.redshift {
		sql = redshiftEstimateSQL
	}
	rows, err := rowsOf(ctx, c, sql, func(row pgx.CollectableRow) (*int64, error) {
		var n *int64
		err := row.Scan(&n)
		return n, err
	}, t.Schema, t.Name)
	if err != nil || len(rows) == 0 || rows[0] == nil {
		return 0, false, err
	}
	return *rows[0], true, nil
}
