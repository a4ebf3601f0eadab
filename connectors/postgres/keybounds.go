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
