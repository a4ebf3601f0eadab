package lake

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
)

// updateTableStats rewrites the table's ducklake_table_stats row (live row
// count, next row id, live file bytes) and its ducklake_table_column_stats
// rows, aggregated from the per-file statistics of every data file the
// catalog still records for the table, live or ended. The official client
// prunes the files of every snapshot, old ones included, with these
// table-wide bounds, so they may only ever widen: bounds of the live files
// alone narrowed after an overwrite and hid rows from time travel. Once
// snapshot expiry removes ended files' rows, the bounds shrink to what the
// remaining (still readable) snapshots hold. Compaction keeps them right by
// recording its files' statistics as every other file's.
func (ct *commitTx) updateTableStats(ctx context.Context, t *lakeTable, plan columnPlan, added []StagedFile) error {
	next, err := ct.nextRowID(ctx, t.ID)
	if err != nil {
		return err
	}
	for _, f := range added {
		next += f.Rows
	}
	var records, size int64
	err = ct.tx.QueryRow(ctx, ct.l.q(`SELECT
		COALESCE(sum(d.record_count), 0) - COALESCE((SELECT sum(x.delete_count) FROM {S}.ducklake_delete_file x
			JOIN {S}.ducklake_data_file y USING (data_file_id)
			WHERE x.table_id = $2 AND `+visibleAt("x.")+` AND `+visibleAt("y.")+`), 0),
		COALESCE(sum(d.file_size_bytes), 0)
		FROM {S}.ducklake_data_file d WHERE d.table_id = $2 AND `+visibleAt("d.")), ct.id, t.ID).Scan(&records, &size)
	if err != nil {
		return fmt.Errorf("count live rows: %w", err)
	}
	// Rows and deletes another DuckLake client inlined into the catalog.
	inl, err := ct.l.inlined(ctx, ct.tx, t.ID, ct.id)
	if err != nil {
		return err
	}
	records += inl.rows - inl.deletes
	if err := ct.exec(ctx, `DELETE FROM {S}.ducklake_table_stats WHERE table_id = $1`, t.ID); err != nil {
		return err
	}
	if err := ct.exec(ctx, `INSERT INTO {S}.ducklake_table_stats VALUES ($1, $2, $3, $4)`, t.ID, records, next, size); err != nil {
		return err
	}
	return ct.updateColumnStats(ctx, t, leafTypes(t, plan))
}

// columnBounds accumulates one column's table-wide statistics.
type columnBounds struct {
	kind                   connectors.Kind
	min, max               *string
	unknownMin, unknownMax bool
	nulls, nan             *bool
}

func (ct *commitTx) updateColumnStats(ctx context.Context, t *lakeTable, types map[int64]connectors.Type) error {
	rows, err := ct.tx.Query(ctx, ct.l.q(`SELECT s.column_id, s.value_count, s.null_count, s.min_value, s.max_value, s.contains_nan
		FROM {S}.ducklake_file_column_stats s JOIN {S}.ducklake_data_file d USING (data_file_id)
		WHERE d.table_id = $1 AND s.table_id = $1 ORDER BY s.column_id`), t.ID)
	if err != nil {
		return fmt.Errorf("read file statistics: %w", err)
	}
	bounds := map[int64]*columnBounds{}
	var order []int64
	for rows.Next() {
		var id int64
		var values, nulls *int64
		var lo, hi *string
		var nan *bool
		if err := rows.Scan(&id, &values, &nulls, &lo, &hi, &nan); err != nil {
			rows.Close()
			return fmt.Errorf("read file statistics: %w", err)
		}
		typ, current := types[id]
		if !current {
			continue
		}
		b := bounds[id]
		if b == nil {
			b = &columnBounds{kind: typ.Kind}
			bounds[id] = b
			order = append(order, id)
		}
		b.add(values, nulls, lo, hi, nan)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read file statistics: %w", err)
	}
	batch := &pgx.Batch{}
	batch.Queue(ct.l.q(`DELETE FROM {S}.ducklake_table_column_stats WHERE table_id = $1`), t.ID)
	for _, id := range order {
		b := bounds[id]
		lo, hi := b.min, b.max
		if b.unknownMin {
			lo = nil
		}
		if b.unknownMax {
			hi = nil
		}
		batch.Queue(ct.l.q(`INSERT INTO {S}.ducklake_table_column_stats VALUES ($1, $2, $3, $4, $5, $6, NULL)`), t.ID, id, b.nulls, b.nan, lo, hi)
	}
	if err := ct.tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("write table column statistics: %w", err)
	}
	return nil
}

// add folds one file's statistics in. A file with values but no bound makes
// the table's bound unknown (NULL); a file without values does not count.
func (b *columnBounds) add(values, nulls *int64, lo, hi *string, nan *bool) {
	b.nulls = orBool(b.nulls, nulls != nil && *nulls > 0, nulls == nil)
	b.nan = orBool(b.nan, nan != nil && *nan, nan == nil)
	if values != nil && *values == 0 {
		return
	}
	if lo == nil || !boundOK(b.kind, *lo) {
		b.unknownMin = true
	} else if b.min == nil || boundLess(b.kind, *lo, *b.min) {
		b.min = lo
	}
	if hi == nil || !boundOK(b.kind, *hi) {
		b.unknownMax = true
	} else if b.max == nil || boundLess(b.kind, *b.max, *hi) {
		b.max = hi
	}
}

// boundOK reports whether a bound can be compared: numbers must parse
// (DuckDB reports infinities and NaN as words).
func boundOK(kind connectors.Kind, v string) bool {
	if _, numeric := numericRank[kind]; !numeric {
		return true
	}
	_, ok := new(big.Rat).SetString(v)
	return ok
}

// orBool combines a known-so-far flag with one file's: true wins, unknown
// beats false.
func orBool(acc *bool, v, unknown bool) *bool {
	switch {
	case acc != nil && *acc:
		return acc
	case v:
		t := true
		return &t
	case unknown:
		return nil
	case acc == nil:
		f := false
		return &f
	}
	return acc
}

// boundLess compares two comparable statistics strings of a column kind:
// numerically for numbers, bytewise (as DuckDB does) for everything else.
func boundLess(kind connectors.Kind, a, b string) bool {
	if _, numeric := numericRank[kind]; numeric {
		x, _ := new(big.Rat).SetString(a)
		y, _ := new(big.Rat).SetString(b)
		return x.Cmp(y) < 0
	}
	return a < b
}

// leafTypes maps the column ids a table's files carry statistics for to
// their current types: the source's columns as planned, and lake columns
// the source no longer has.
func leafTypes(t *lakeTable, plan columnPlan) map[int64]connectors.Type {
	out := map[int64]connectors.Type{}
	var addLake func(c *lakeColumn)
	addLake = func(c *lakeColumn) {
		out[c.ID] = c.Type
		for _, ch := range c.Children {
			addLake(ch)
		}
	}
	for _, c := range t.Columns {
		addLake(c)
	}
	var addPlan func(c FileColumn)
	addPlan = func(c FileColumn) {
		out[c.FieldID] = c.Type
		if c.Elem != nil {
			addPlan(*c.Elem)
		}
	}
	for _, c := range plan.Files {
		addPlan(c)
	}
	return out
}

// countListLeaves sets the value and null counts of a written file's list
// elements as the official writer records them: values are the non-NULL
// elements, nulls the element slots Parquet holds minus those (NULL
// elements, NULL lists and empty lists). DuckDB's RETURN_STATS has neither
// for list elements, so the slots come from the file's footer and the
// non-NULL elements from reading the list columns once.
func (d *duck) countListLeaves(ctx context.Context, path string, cols []FileColumn, stats []ColumnStats) ([]ColumnStats, error) {
	var counts []string
	var lists []int
	for i, c := range cols {
		if c.Elem == nil {
			continue
		}
		expr := quoteIdent(c.Name)
		leaf := c.Elem
		for leaf.Elem != nil {
			expr, leaf = "flatten("+expr+")", leaf.Elem
		}
		counts = append(counts, fmt.Sprintf("COALESCE(sum(len(list_filter(%s, x -> x IS NOT NULL))), 0)", expr))
		lists = append(lists, i)
	}
	if len(lists) == 0 {
		return stats, nil
	}
	slots := map[int64]int64{}
	rows, err := d.conn.QueryContext(ctx, "SELECT column_id, sum(num_values) FROM parquet_metadata("+quoteString(path)+") GROUP BY column_id")
	if err != nil {
		return nil, fmt.Errorf("read list element counts: %w", err)
	}
	for rows.Next() {
		var leaf, n int64
		if err := rows.Scan(&leaf, &n); err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("read list element counts: %w", err)
		}
		slots[leaf] = n
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("read list element counts: %w", err)
	}
	values := make([]any, len(lists))
	ptrs := make([]any, len(lists))
	for i := range values {
		ptrs[i] = &values[i]
	}
	if err := d.conn.QueryRowContext(ctx, "SELECT "+strings.Join(counts, ", ")+" FROM read_parquet("+quoteString(path)+")").Scan(ptrs...); err != nil {
		return nil, fmt.Errorf("count list elements: %w", err)
	}
	for j, i := range lists {
		leaf := cols[i].Elem
		for leaf.Elem != nil {
			leaf = leaf.Elem
		}
		n := asInt64(values[j])
		nulls := slots[int64(i)] - n // each column has exactly one leaf, so leaf i is column i's
		k := slices.IndexFunc(stats, func(s ColumnStats) bool { return s.FieldID == leaf.FieldID })
		if k < 0 {
			stats = append(stats, ColumnStats{FieldID: leaf.FieldID})
			k = len(stats) - 1
		}
		stats[k].ValueCount, stats[k].NullCount = &n, &nulls
	}
	return stats, nil
}
