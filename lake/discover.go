package lake

import (
	"context"
	"fmt"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// Tables lists the lake's tables at the current snapshot, with the live row
// count as the estimate.
func (l *Lake) Tables(ctx context.Context) ([]connectors.Table, error) {
	_, tables, err := l.currentTables(ctx)
	if err != nil {
		return nil, err
	}
	counts := map[int64]int64{}
	rows, err := l.pool.Query(ctx, l.q(`SELECT table_id, record_count FROM {S}.ducklake_table_stats`))
	if err != nil {
		return nil, fmt.Errorf("read table statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("read table statistics: %w", err)
		}
		counts[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read table statistics: %w", err)
	}
	out := make([]connectors.Table, 0, len(tables))
	for _, t := range tables {
		n := counts[t.ID]
		out = append(out, connectors.Table{Schema: t.Schema.Name, Name: t.Name, Kind: connectors.TableKindTable, RowEstimate: &n})
	}
	return out, nil
}

// Columns lists a table's columns at the current snapshot, in column order.
// Lake columns always allow NULL: a column the source drops stays, NULL for
// new rows.
func (l *Lake) Columns(ctx context.Context, ref connectors.TableRef) ([]connectors.Column, error) {
	_, tables, err := l.currentTables(ctx)
	if err != nil {
		return nil, err
	}
	t := findTable(tables, ref.Schema, ref.Name)
	if t == nil {
		return nil, &connectors.QueryError{Kind: connectors.QueryErrNotFound, Message: fmt.Sprintf("table %s does not exist in the lake", ref)}
	}
	out := make([]connectors.Column, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = connectors.Column{Name: c.Name, SourceType: sourceTypeName(c), Type: c.Type, Nullable: true, Ordinal: i + 1}
	}
	return out, nil
}

// sourceTypeName renders a column's DuckLake type, lists with their element.
func sourceTypeName(c *lakeColumn) string {
	if len(c.Children) == 1 && c.TypeName == "list" {
		return "list<" + sourceTypeName(c.Children[0]) + ">"
	}
	return c.TypeName
}

// Snapshot is one version of the lake.
type Snapshot struct {
	ID            int64     `json:"id"`
	Time          time.Time `json:"time"`
	SchemaVersion int64     `json:"schema_version"`
	// Changes is the specification's changes_made list, e.g.
	// `created_table:"s"."t",inserted_into_table:1`.
	Changes string `json:"changes"`
}

// Snapshots lists every snapshot of the lake, oldest first.
func (l *Lake) Snapshots(ctx context.Context) ([]Snapshot, error) {
	rows, err := l.pool.Query(ctx, l.q(`SELECT s.snapshot_id, s.snapshot_time, s.schema_version, COALESCE(c.changes_made, '')
		FROM {S}.ducklake_snapshot s LEFT JOIN {S}.ducklake_snapshot_changes c USING (snapshot_id) ORDER BY s.snapshot_id`))
	if err != nil {
		return nil, fmt.Errorf("read snapshots: %w", err)
	}
	defer rows.Close()
	var out []Snapshot
	for rows.Next() {
		var s Snapshot
		if err := rows.Scan(&s.ID, &s.Time, &s.SchemaVersion, &s.Changes); err != nil {
			return nil, fmt.Errorf("read snapshots: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
