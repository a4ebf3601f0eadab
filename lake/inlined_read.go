package lake

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// maxInlinedRows bounds the inlined rows a read brings into its DuckDB as
// literals; the official client inlines small inserts only, so more means
// they should be flushed to Parquet.
const maxInlinedRows = 50_000

// inlinedRows are the rows of one inlined data table live at a snapshot,
// each value as text in the form inlinedColumn.fetch gives it.
type inlinedRows struct {
	table string
	cols  []inlinedColumn
	rows  [][]*string
}

// inlinedColumn is a column of an inlined data table: its name and how its
// Postgres type travels as text.
type inlinedColumn struct {
	name string
	// hex: bytea (the official client keeps VARCHAR and BLOB values as
	// bytea in a Postgres catalog); json: a Postgres array, sent as JSON.
	hex, json bool
}

// fetch is the Postgres expression that reads the column as text.
func (c inlinedColumn) fetch() string {
	switch {
	case c.hex:
		return "encode(" + quoteIdent(c.name) + ", 'hex')"
	case c.json:
		return "array_to_json(" + quoteIdent(c.name) + ")::text"
	}
	return quoteIdent(c.name) + "::text"
}

// decode is the DuckDB expression that turns the fetched text v into t.
func (c inlinedColumn) decode(v string, t connectors.Type) string {
	switch {
	case c.hex && t.Kind == connectors.KindBytes:
		return "from_hex(" + v + ")"
	case c.hex:
		v = "decode(from_hex(" + v + "))"
	case c.json:
		v = "CAST(" + v + " AS JSON)"
	}
	return fmt.Sprintf("CAST(%s AS %s)", v, readType(t))
}

// loadInlinedRows reads, per table, the rows other DuckLake clients inlined
// into the catalog that are live at a snapshot.
func (l *Lake) loadInlinedRows(ctx context.Context, q querier, snap int64) (map[int64][]*inlinedRows, error) {
	rows, err := q.Query(ctx, l.q(`SELECT i.table_id, i.table_name FROM {S}.ducklake_inlined_data_tables i
		JOIN information_schema.tables t ON t.table_schema = $1 AND t.table_name = i.table_name ORDER BY i.table_id, i.schema_version`), l.schema)
	if err != nil {
		return nil, fmt.Errorf("read inlined data tables: %w", err)
	}
	type ref struct {
		id   int64
		name string
	}
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.id, &r.name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read inlined data tables: %w", err)
		}
		if inlinedDataName.MatchString(r.name) {
			refs = append(refs, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read inlined data tables: %w", err)
	}
	out := map[int64][]*inlinedRows{}
	for _, r := range refs {
		in, err := l.readInlinedTable(ctx, q, r.name, snap)
		if err != nil {
			return nil, err
		}
		if len(in.rows) > 0 {
			out[r.id] = append(out[r.id], in)
		}
	}
	return out, nil
}

// readInlinedTable reads one inlined data table's rows live at a snapshot.
func (l *Lake) readInlinedTable(ctx context.Context, q querier, name string, snap int64) (*inlinedRows, error) {
	in := &inlinedRows{table: name}
	rows, err := q.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`, l.schema, name)
	if err != nil {
		return nil, fmt.Errorf("read columns of %s: %w", name, err)
	}
	for rows.Next() {
		var col, typ string
		if err := rows.Scan(&col, &typ); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read columns of %s: %w", name, err)
		}
		switch col {
		case "row_id", "begin_snapshot", "end_snapshot":
			continue
		}
		in.cols = append(in.cols, inlinedColumn{name: col, hex: typ == "bytea", json: typ == "ARRAY"})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read columns of %s: %w", name, err)
	}
	sel := make([]string, len(in.cols))
	for i, c := range in.cols {
		sel[i] = c.fetch()
	}
	if len(sel) == 0 {
		return in, nil
	}
	rows, err = q.Query(ctx, l.q(`SELECT `+strings.Join(sel, ", ")+` FROM {S}.`+quoteIdent(name)+` WHERE `+visibleAt("")+
		` ORDER BY row_id LIMIT `+strconv.Itoa(maxInlinedRows+1)), snap)
	if err != nil {
		return nil, fmt.Errorf("read inlined rows of %s: %w", name, err)
	}
	defer rows.Close()
	for rows.Next() {
		vals := make([]*string, len(in.cols))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read inlined rows of %s: %w", name, err)
		}
		in.rows = append(in.rows, vals)
	}
	if len(in.rows) > maxInlinedRows {
		return nil, fmt.Errorf("%s holds more than %d rows another DuckLake client inlined into the catalog; flush them to Parquet with DuckDB (CALL ducklake_flush_inlined_data('<attached lake>'))", name, maxInlinedRows)
	}
	return in, rows.Err()
}

// selectSQL renders the rows as a DuckDB query with a table's columns at a
// snapshot, matched by name; columns the inlined table lacks read as NULL.
// Every value is a quoted literal.
func (in *inlinedRows) selectSQL(cols []schemaColumn) string {
	if len(in.rows) == 0 {
		return ""
	}
	names := make([]string, len(in.cols))
	index := map[string]int{}
	for i, c := range in.cols {
		names[i] = fmt.Sprintf("v%d", i)
		index[c.name] = i
	}
	sel := mapCols(cols, func(c schemaColumn) string {
		i, ok := index[c.Name]
		if !ok {
			return fmt.Sprintf("CAST(NULL AS %s) AS %s", readType(c.Type), quoteIdent(c.Name))
		}
		return in.cols[i].decode("i."+names[i], c.Type) + " AS " + quoteIdent(c.Name)
	})
	values := make([]string, len(in.rows))
	for r, row := range in.rows {
		lits := make([]string, len(row))
		for i, v := range row {
			lits[i] = "NULL"
			if v != nil {
				lits[i] = quoteString(*v)
			}
		}
		values[r] = "(" + strings.Join(lits, ", ") + ")"
	}
	return fmt.Sprintf("SELECT %s FROM (VALUES %s) AS i(%s)", strings.Join(sel, ", "), strings.Join(values, ", "), strings.Join(names, ", "))
}

// inlinedDeleteName is the official client's table of positions deleted
// from Parquet files, kept in the catalog.
var inlinedDeleteName = regexp.MustCompile(`^ducklake_inlined_delete_([0-9]+)$`)

// loadInlinedDeletes reads, per data file id, the positions other DuckLake
// clients deleted at or before a snapshot without writing a delete file.
func (l *Lake) loadInlinedDeletes(ctx context.Context, q querier, snap int64) (map[int64][]int64, error) {
	names, err := catalogNames(ctx, q, inlinedDeleteName, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = $1 AND table_name LIKE 'ducklake\_inlined\_delete\_%'`, l.schema)
	if err != nil {
		return nil, fmt.Errorf("find inlined deletes: %w", err)
	}
	out := map[int64][]int64{}
	for _, name := range names {
		rows, err := q.Query(ctx, l.q(`SELECT file_id, row_id FROM {S}.`+quoteIdent(name)+` WHERE begin_snapshot <= $1 ORDER BY file_id, row_id`), snap)
		if err != nil {
			return nil, fmt.Errorf("read inlined deletes: %w", err)
		}
		for rows.Next() {
			var file, pos int64
			if err := rows.Scan(&file, &pos); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read inlined deletes: %w", err)
			}
			out[file] = append(out[file], pos)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read inlined deletes: %w", err)
		}
	}
	return out, nil
}
