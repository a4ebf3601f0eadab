package lake

import (
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestTableStatsOnlyWiden: after an overwrite the table-wide bounds still
// cover the rows of earlier snapshots, which the official client prunes
// with them (it answered 0 rows for id <= 100 at the snapshot before).
func TestTableStatsOnlyWiden(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), col("name", connectors.KindString)}
	f.load("s", "t", cols, idRows(1, 101), LoadAppend)
	f.load("s", "t", cols, idRows(101, 201), LoadOverwrite)
	var lo, hi string
	if err := f.pool.QueryRow(f.ctx, `SELECT s.min_value, s.max_value FROM lake_test.ducklake_table_column_stats s
		JOIN lake_test.ducklake_column c USING (table_id, column_id) WHERE c.column_name = 'id'`).Scan(&lo, &hi); err != nil {
		t.Fatal(err)
	}
	if lo != "1" || hi != "200" {
		t.Errorf("id bounds after an overwrite are [%s, %s], want [1, 200]", lo, hi)
	}
}

// TestListElementStats: a list element's value_count is its non-NULL
// elements and null_count the other element slots (NULL elements, NULL
// and empty lists), as the official writer records them.
func TestListElementStats(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt),
		{Name: "l", Type: connectors.ArrayOf(connectors.Scalar(connectors.KindInt))}}
	f.load("s", "t", cols, [][]any{
		{int64(1), []any{int64(1), nil, int64(3)}}, {int64(2), nil}, {int64(3), []any{}}, {int64(4), []any{int64(4)}},
		{int64(5), nil}, {int64(6), nil},
	}, LoadAppend)
	var values, nulls int64
	if err := f.pool.QueryRow(f.ctx, `SELECT s.value_count, s.null_count FROM lake_test.ducklake_file_column_stats s
		JOIN lake_test.ducklake_column c USING (table_id, column_id) WHERE c.column_name = 'element'`).Scan(&values, &nulls); err != nil {
		t.Fatal(err)
	}
	if values != 3 || nulls != 5 {
		t.Errorf("element value_count %d, null_count %d; want 3 and 5", values, nulls)
	}
}
