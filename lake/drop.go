package lake

import (
	"context"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// DropResult says what DropTables dropped.
type DropResult struct {
	// Dropped are the tables that existed and were dropped, as "schema.table".
	Dropped []string `json:"dropped"`
	// SnapshotID is the snapshot that dropped them; zero when none existed.
	SnapshotID int64 `json:"snapshot_id"`
}

// DropTables drops tables in one new snapshot, as the DuckLake
// specification's DROP TABLE does: the ducklake_table rows get that
// snapshot as end_snapshot. Their columns, data files and delete files end
// with them, so earlier snapshots still read the tables (time travel) and
// the files become ones no current snapshot references: they stay on disk
// until maintenance expires the snapshots that do. Schema names compare
// case-insensitively, as DuckDB resolves them; tables that do not exist are
// skipped.
func (l *Lake) DropTables(ctx context.Context, refs []connectors.TableRef) (DropResult, error) {
	var out DropResult
	res, err := l.commitRetrying(ctx, "drop tables", "", func(ctx context.Context, ct *commitTx) (CommitResult, error) {
		out.Dropped = out.Dropped[:0]
		tables, err := ct.l.loadTables(ctx, ct.tx, ct.prev.ID)
		if err != nil {
			return CommitResult{}, err
		}
		for _, ref := range refs {
			for _, t := range tables {
				if t.Name != ref.Name || !strings.EqualFold(t.Schema.Name, ref.Schema) {
					continue
				}
				if err := ct.dropTable(ctx, t); err != nil {
					return CommitResult{}, err
				}
				out.Dropped = append(out.Dropped, t.Schema.Name+"."+t.Name)
			}
		}
		return CommitResult{}, nil
	})
	if err != nil {
		return DropResult{}, err
	}
	if len(out.Dropped) > 0 {
		out.SnapshotID = res.SnapshotID
	}
	return out, nil
}

// dropTable ends a table and everything of it that is current.
func (ct *commitTx) dropTable(ctx context.Context, t *lakeTable) error {
	for _, table := range []string{"ducklake_table", "ducklake_column", "ducklake_data_file", "ducklake_delete_file"} {
		if err := ct.exec(ctx, `UPDATE {S}.`+table+` SET end_snapshot = $1 WHERE table_id = $2 AND end_snapshot IS NULL`, ct.id, t.ID); err != nil {
			return err
		}
	}
	ct.schemaChanged = true
	ct.change("dropped_table", t.ID)
	return nil
}
