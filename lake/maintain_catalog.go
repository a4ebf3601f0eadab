package lake

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// TableInfo describes one current lake table for browsing and maintenance.
type TableInfo struct {
	ID        int64  `json:"table_id"`
	Schema    string `json:"schema"`
	Name      string `json:"table"`
	Rows      int64  `json:"row_count"`
	Files     int64  `json:"file_count"`
	SizeBytes int64  `json:"size_bytes"`
	// LastSnapshotID is the newest snapshot that changed the table; its time
	// is nil when snapshot expiry removed that snapshot.
	LastSnapshotID   int64      `json:"last_snapshot_id"`
	LastSnapshotTime *time.Time `json:"last_snapshot_time"`
}

// TableInfos lists the current tables with their live row count, live data
// files and their bytes, and the last snapshot that changed each, ordered by
// schema and name; at most limit of them, and whether there were more.
func (l *Lake) TableInfos(ctx context.Context, limit int) ([]TableInfo, bool, error) {
	return l.tableInfos(ctx, limit, nil, nil)
}

// tableInfos is TableInfos, of one table when schema and name are set.
func (l *Lake) tableInfos(ctx context.Context, limit int, schema, name *string) ([]TableInfo, bool, error) {
	rows, err := l.pool.Query(ctx, l.q(`
		WITH cur AS (SELECT max(snapshot_id) AS id FROM {S}.ducklake_snapshot),
		tables AS (SELECT t.table_id, s.schema_name, t.table_name FROM {S}.ducklake_table t
			JOIN {S}.ducklake_schema s ON s.schema_id = t.schema_id, cur
			WHERE cur.id >= t.begin_snapshot AND (t.end_snapshot IS NULL OR cur.id < t.end_snapshot)
				AND cur.id >= s.begin_snapshot AND (s.end_snapshot IS NULL OR cur.id < s.end_snapshot)
				AND ($2::TEXT IS NULL OR (lower(s.schema_name) = lower($2) AND t.table_name = $3))),
		files AS (SELECT d.table_id, count(*) AS n, sum(d.file_size_bytes) AS bytes FROM {S}.ducklake_data_file d
			WHERE d.end_snapshot IS NULL GROUP BY d.table_id),
		changed AS (SELECT table_id, max(s) AS snap FROM (
				SELECT table_id, begin_snapshot AS s FROM {S}.ducklake_table
				UNION ALL SELECT table_id, begin_snapshot FROM {S}.ducklake_column
				UNION ALL SELECT table_id, COALESCE(end_snapshot, begin_snapshot) FROM {S}.ducklake_data_file
				UNION ALL SELECT table_id, begin_snapshot FROM {S}.ducklake_data_file
				UNION ALL SELECT table_id, COALESCE(end_snapshot, begin_snapshot) FROM {S}.ducklake_delete_file
				UNION ALL SELECT table_id, begin_snapshot FROM {S}.ducklake_delete_file) x GROUP BY table_id)
		SELECT t.table_id, t.schema_name, t.table_name, COALESCE(st.record_count, 0), COALESCE(f.n, 0), COALESCE(f.bytes, 0),
			c.snap, sn.snapshot_time
		FROM tables t
		LEFT JOIN {S}.ducklake_table_stats st ON st.table_id = t.table_id
		LEFT JOIN files f ON f.table_id = t.table_id
		LEFT JOIN changed c ON c.table_id = t.table_id
		LEFT JOIN {S}.ducklake_snapshot sn ON sn.snapshot_id = c.snap
		ORDER BY t.schema_name COLLATE "C", t.table_name COLLATE "C" LIMIT $1`), limit+1, schema, name)
	if err != nil {
		return nil, false, fmt.Errorf("list lake tables: %w", err)
	}
	defer rows.Close()
	var out []TableInfo
	for rows.Next() {
		var ti TableInfo
		if err := rows.Scan(&ti.ID, &ti.Schema, &ti.Name, &ti.Rows, &ti.Files, &ti.SizeBytes, &ti.LastSnapshotID, &ti.LastSnapshotTime); err != nil {
			return nil, false, fmt.Errorf("list lake tables: %w", err)
		}
		out = append(out, ti)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("list lake tables: %w", err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// TableInfoOf describes one current table with its columns, or returns a
// QueryError of kind not_found. Schema names compare case-insensitively, as
// DuckDB resolves them.
func (l *Lake) TableInfoOf(ctx context.Context, schema, name string) (TableInfo, []connectors.Column, error) {
	infos, _, err := l.tableInfos(ctx, 1, &schema, &name)
	if err != nil {
		return TableInfo{}, nil, err
	}
	for _, ti := range infos {
		cols, err := l.Columns(ctx, connectors.TableRef{Schema: ti.Schema, Name: ti.Name})
		return ti, cols, err
	}
	return TableInfo{}, nil, &connectors.QueryError{Kind: connectors.QueryErrNotFound,
		Message: fmt.Sprintf("table %s.%s does not exist in the lake", schema, name)}
}

// Change is one entry of a snapshot's changes_made, with the table it
// names resolved when the catalog still knows it.
type Change struct {
	Kind    string `json:"kind"`
	TableID *int64 `json:"table_id,omitempty"`
	Schema  string `json:"schema,omitempty"`
	Table   string `json:"table,omitempty"`
}

// SnapshotInfo is a snapshot with its changes parsed.
type SnapshotInfo struct {
	Snapshot
	ChangeList []Change `json:"change_list"`
}

// SnapshotPage lists up to limit snapshots, newest first, older than before
// when it is set, with what each changed.
func (l *Lake) SnapshotPage(ctx context.Context, before *int64, limit int) ([]SnapshotInfo, error) {
	rows, err := l.pool.Query(ctx, l.q(`SELECT s.snapshot_id, s.snapshot_time, s.schema_version, COALESCE(c.changes_made, '')
		FROM {S}.ducklake_snapshot s LEFT JOIN {S}.ducklake_snapshot_changes c USING (snapshot_id)
		WHERE $1::BIGINT IS NULL OR s.snapshot_id < $1 ORDER BY s.snapshot_id DESC LIMIT $2`), before, limit)
	if err != nil {
		return nil, fmt.Errorf("read snapshots: %w", err)
	}
	var out []SnapshotInfo
	for rows.Next() {
		var s SnapshotInfo
		if err := rows.Scan(&s.ID, &s.Time, &s.SchemaVersion, &s.Changes); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read snapshots: %w", err)
		}
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read snapshots: %w", err)
	}
	names, err := l.tableNames(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].ChangeList = parseChanges(out[i].Changes, names)
	}
	return out, nil
}

// tableNames maps every table id the catalog holds to its latest name.
func (l *Lake) tableNames(ctx context.Context) (map[int64][2]string, error) {
	rows, err := l.pool.Query(ctx, l.q(`SELECT DISTINCT ON (t.table_id) t.table_id, s.schema_name, t.table_name
		FROM {S}.ducklake_table t JOIN {S}.ducklake_schema s USING (schema_id) ORDER BY t.table_id, t.begin_snapshot DESC`))
	if err != nil {
		return nil, fmt.Errorf("read table names: %w", err)
	}
	defer rows.Close()
	out := map[int64][2]string{}
	for rows.Next() {
		var id int64
		var schema, name string
		if err := rows.Scan(&id, &schema, &name); err != nil {
			return nil, fmt.Errorf("read table names: %w", err)
		}
		out[id] = [2]string{schema, name}
	}
	return out, rows.Err()
}

// parseChanges splits changes_made (kind:value entries separated by commas,
// values a table id or SQL-quoted names that may hold commas themselves).
func parseChanges(s string, names map[int64][2]string) []Change {
	out := []Change{}
	for s != "" {
		colon := strings.IndexByte(s, ':')
		if colon < 0 {
			break
		}
		ch := Change{Kind: s[:colon]}
		rest := s[colon+1:]
		var parts []string
		end := 0
		for end < len(rest) && rest[end] == '"' {
			part, n := unquoteName(rest[end:])
			parts = append(parts, part)
			end += n
			if end < len(rest) && rest[end] == '.' {
				end++
			}
		}
		if len(parts) == 0 {
			end = strings.IndexByte(rest, ',')
			if end < 0 {
				end = len(rest)
			}
			if id, err := strconv.ParseInt(rest[:end], 10, 64); err == nil {
				ch.TableID = &id
				if n, ok := names[id]; ok {
					ch.Schema, ch.Table = n[0], n[1]
				}
			}
		}
		switch len(parts) {
		case 1:
			ch.Schema = parts[0]
		case 2:
			ch.Schema, ch.Table = parts[0], parts[1]
		}
		out = append(out, ch)
		s = strings.TrimPrefix(rest[end:], ",")
	}
	return out
}

// unquoteName reads one "…"-quoted name ("" is a quote) and its length.
func unquoteName(s string) (string, int) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '"' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '"' {
			b.WriteByte('"')
			i++
			continue
		}
		return b.String(), i + 1
	}
	return b.String(), len(s)
}
