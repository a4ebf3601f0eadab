package lake

import (
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestCatalogConformance runs every kind of commit and then checks the
// catalog rows against the DuckLake specification's invariants.
func TestCatalogConformance(t *testing.T) {
	f := newFixture(t)
	f.lake.Limits.FileMaxRows = 300
	v1 := []connectors.Column{col("id", connectors.KindInt), col("name", connectors.KindString),
		{Name: "tags", Type: connectors.ArrayOf(connectors.Scalar(connectors.KindInt))}}
	rows := func(from, to int, tag string) [][]any {
		out := [][]any{}
		for i := from; i < to; i++ {
			out = append(out, []any{int64(i), tag, []any{int64(i), int64(i + 1)}})
		}
		return out
	}
	f.load("s1", "t", v1, rows(0, 1000, "a"), LoadAppend)
	f.load("s1", "t", v1, rows(500, 700, "b"), LoadMerge, "id")
	f.load("s1", "t", v1, rows(600, 800, "c"), LoadMerge, "id") // deletes on top of deletes
	v2 := []connectors.Column{col("id", connectors.KindFloat), col("name", connectors.KindString), col("extra", connectors.KindBool)}
	f.load("s1", "t", v2, [][]any{{1.5, "d", true}}, LoadAppend)
	f.load("s2", "u", v1, rows(0, 10, "e"), LoadAppend)
	f.load("s2", "u", v1, rows(0, 5, "f"), LoadOverwrite)
	f.load("s1", "t", v2, [][]any{}, LoadMerge, "id") // nothing to do: no snapshot
	f.load("s1", "t", v1, rows(0, 1000, "g"), LoadMerge, "id")

	if got := f.one(`SELECT count(*) FROM s1.t`); got != int64(1001) {
		t.Fatalf("s1.t has %v rows, want 1001", got)
	}
	c := conformance{f: f}
	c.metadata()
	c.snapshots()
	c.versionedRows()
	c.ids()
	c.columns()
	c.files()
	c.stats()
}

type conformance struct{ f *fixture }

// rows runs a catalog query and returns its rows as int64s (NULL as -1) and strings.
func (c conformance) rows(sql string) [][]any {
	c.f.t.Helper()
	rows, err := c.f.pool.Query(c.f.ctx, strings.ReplaceAll(sql, "{S}", "lake_test"))
	if err != nil {
		c.f.t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		v, err := rows.Values()
		if err != nil {
			c.f.t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// none fails when a query that lists violations returns any row.
func (c conformance) none(what, sql string) {
	c.f.t.Helper()
	if bad := c.rows(sql); len(bad) > 0 {
		c.f.t.Errorf("%s: %v", what, bad)
	}
}

func (c conformance) metadata() {
	got := map[string]string{}
	for _, r := range c.rows(`SELECT key, value FROM {S}.ducklake_metadata WHERE scope IS NULL`) {
		got[r[0].(string)] = r[1].(string)
	}
	if got["version"] != "1.0" || got["encrypted"] != "false" || got["created_by"] == "" || got["data_path"] != c.f.lake.DataPath()+"/" {
		c.f.t.Errorf("ducklake_metadata = %v", got)
	}
}

func (c conformance) snapshots() {
	c.none("snapshot ids are consecutive from 0", `SELECT snapshot_id FROM (SELECT snapshot_id, row_number() OVER (ORDER BY snapshot_id) - 1 AS n FROM {S}.ducklake_snapshot) s WHERE snapshot_id <> n`)
	c.none("counters never go back", `SELECT snapshot_id FROM (SELECT *, lag(snapshot_time) OVER w AS pt, lag(schema_version) OVER w AS psv,
		lag(next_catalog_id) OVER w AS pc, lag(next_file_id) OVER w AS pf FROM {S}.ducklake_snapshot WINDOW w AS (ORDER BY snapshot_id)) s
		WHERE snapshot_time < pt OR schema_version < psv OR next_catalog_id < pc OR next_file_id < pf`)
	c.none("every snapshot records its changes", `SELECT snapshot_id FROM {S}.ducklake_snapshot s WHERE NOT EXISTS
		(SELECT 1 FROM {S}.ducklake_snapshot_changes c WHERE c.snapshot_id = s.snapshot_id AND c.changes_made <> '')`)
	c.none("schema_version bumps exactly on DDL", `SELECT s.snapshot_id, c.changes_made FROM {S}.ducklake_snapshot s
		JOIN {S}.ducklake_snapshot_changes c USING (snapshot_id)
		JOIN {S}.ducklake_snapshot p ON p.snapshot_id = s.snapshot_id - 1
		WHERE (s.schema_version > p.schema_version) <> (c.changes_made ~ '(created|altered|dropped)_')`)
	c.none("a schema version row names each altered or created table", `SELECT s.snapshot_id FROM {S}.ducklake_snapshot s
		JOIN {S}.ducklake_snapshot p ON p.snapshot_id = s.snapshot_id - 1
		WHERE s.schema_version > p.schema_version AND NOT EXISTS (SELECT 1 FROM {S}.ducklake_schema_versions v
			WHERE v.begin_snapshot = s.snapshot_id AND v.schema_version = s.schema_version AND v.table_id IS NOT NULL)`)
	c.none("schema version rows only for DDL snapshots", `SELECT v.* FROM {S}.ducklake_schema_versions v
		JOIN {S}.ducklake_snapshot s ON s.snapshot_id = v.begin_snapshot WHERE s.schema_version <> v.schema_version`)
}

func (c conformance) versionedRows() {
	for _, table := range []string{"ducklake_schema", "ducklake_table", "ducklake_column", "ducklake_data_file", "ducklake_delete_file"} {
		// A live row may begin at an expired snapshot: expiry, the
		// extension's as sluice's, removes only rows that ended.
		c.none(table+" begins before it ends, at existing snapshots", `SELECT * FROM {S}.`+table+` x
			WHERE begin_snapshot >= end_snapshot OR (begin_snapshot NOT IN (SELECT snapshot_id FROM {S}.ducklake_snapshot)
				AND begin_snapshot >= (SELECT min(snapshot_id) FROM {S}.ducklake_snapshot))
			OR (end_snapshot IS NOT NULL AND end_snapshot NOT IN (SELECT snapshot_id FROM {S}.ducklake_snapshot))`)
	}
	c.none("every table's schema exists while the table does", `SELECT t.table_id FROM {S}.ducklake_table t WHERE NOT EXISTS
		(SELECT 1 FROM {S}.ducklake_schema s WHERE s.schema_id = t.schema_id AND s.begin_snapshot <= t.begin_snapshot
			AND (s.end_snapshot IS NULL OR (t.end_snapshot IS NOT NULL AND s.end_snapshot >= t.end_snapshot)))`)
	c.none("every data file's table exists while the file is live", `SELECT d.data_file_id FROM {S}.ducklake_data_file d WHERE NOT EXISTS
		(SELECT 1 FROM {S}.ducklake_table t WHERE t.table_id = d.table_id AND t.begin_snapshot <= d.begin_snapshot
			AND (t.end_snapshot IS NULL OR (d.end_snapshot IS NOT NULL AND t.end_snapshot >= d.end_snapshot)))`)
	c.none("every delete file's data file is live while it is", `SELECT x.delete_file_id FROM {S}.ducklake_delete_file x
		JOIN {S}.ducklake_data_file d USING (data_file_id)
		WHERE x.table_id <> d.table_id OR x.begin_snapshot < d.begin_snapshot
			OR (d.end_snapshot IS NOT NULL AND (x.end_snapshot IS NULL OR x.end_snapshot > d.end_snapshot))`)
	c.none("at most one delete file per data file at any snapshot", `SELECT s.snapshot_id, x.data_file_id FROM {S}.ducklake_snapshot s
		JOIN {S}.ducklake_delete_file x ON s.snapshot_id >= x.begin_snapshot AND (s.snapshot_id < x.end_snapshot OR x.end_snapshot IS NULL)
		GROUP BY 1, 2 HAVING count(*) > 1`)
}

func (c conformance) ids() {
	c.none("catalog ids come from next_catalog_id", `SELECT id FROM (
			SELECT schema_id AS id, begin_snapshot AS b FROM {S}.ducklake_schema UNION ALL SELECT table_id, begin_snapshot FROM {S}.ducklake_table) o
		JOIN {S}.ducklake_snapshot s ON s.snapshot_id = o.b LEFT JOIN {S}.ducklake_snapshot p ON p.snapshot_id = o.b - 1
		WHERE o.id >= s.next_catalog_id OR (p.snapshot_id IS NOT NULL AND o.id < p.next_catalog_id)`)
	c.none("file ids come from next_file_id", `SELECT id FROM (
			SELECT data_file_id AS id, begin_snapshot AS b FROM {S}.ducklake_data_file
			-- a partial deletion file begins with its first position's snapshot; its id is its last's
			UNION ALL SELECT delete_file_id, COALESCE(partial_max, begin_snapshot) FROM {S}.ducklake_delete_file) o
		JOIN {S}.ducklake_snapshot s ON s.snapshot_id = o.b JOIN {S}.ducklake_snapshot p ON p.snapshot_id = o.b - 1
		WHERE o.id >= s.next_file_id OR o.id < p.next_file_id`)
	c.none("catalog ids are unique", `SELECT id FROM (SELECT DISTINCT schema_id AS id FROM {S}.ducklake_schema UNION ALL SELECT DISTINCT table_id FROM {S}.ducklake_table) o GROUP BY id HAVING count(*) > 1`)
	c.none("row id ranges of a table never overlap", `SELECT a.data_file_id, b.data_file_id FROM {S}.ducklake_data_file a JOIN {S}.ducklake_data_file b
		ON a.table_id = b.table_id AND a.data_file_id < b.data_file_id
		AND a.row_id_start < b.row_id_start + b.record_count AND b.row_id_start < a.row_id_start + a.record_count`)
	c.none("next_row_id is past every row id", `SELECT ts.table_id FROM {S}.ducklake_table_stats ts JOIN {S}.ducklake_data_file d USING (table_id)
		GROUP BY ts.table_id, ts.next_row_id HAVING ts.next_row_id < max(d.row_id_start + d.record_count)`)
}

func (c conformance) columns() {
	c.none("column ids and orders are unique per table and snapshot", `SELECT s.snapshot_id, col.table_id FROM {S}.ducklake_snapshot s
		JOIN {S}.ducklake_column col ON s.snapshot_id >= col.begin_snapshot AND (s.snapshot_id < col.end_snapshot OR col.end_snapshot IS NULL)
		GROUP BY 1, 2 HAVING count(DISTINCT col.column_id) <> count(*) OR count(DISTINCT (col.parent_column, col.column_order)) <> count(*)`)
	c.none("every live table has columns", `SELECT s.snapshot_id, t.table_id FROM {S}.ducklake_snapshot s
		JOIN {S}.ducklake_table t ON s.snapshot_id >= t.begin_snapshot AND (s.snapshot_id < t.end_snapshot OR t.end_snapshot IS NULL)
		WHERE NOT EXISTS (SELECT 1 FROM {S}.ducklake_column col WHERE col.table_id = t.table_id AND col.parent_column IS NULL
			AND s.snapshot_id >= col.begin_snapshot AND (s.snapshot_id < col.end_snapshot OR col.end_snapshot IS NULL))`)
	c.none("columns are fully described", `SELECT * FROM {S}.ducklake_column WHERE nulls_allowed IS NULL OR column_type IS NULL OR column_order IS NULL
		OR default_value_type IS NULL OR (column_type = 'list') <> EXISTS (SELECT 1 FROM {S}.ducklake_column ch
			WHERE ch.table_id = ducklake_column.table_id AND ch.parent_column = ducklake_column.column_id)`)
	c.none("a column keeps its id across versions", `SELECT table_id, column_name FROM {S}.ducklake_column WHERE parent_column IS NULL
		GROUP BY 1, 2 HAVING count(DISTINCT column_id) > 1`)
}

func (c conformance) stats() {
	c.none("value and null counts add up to the record count", `SELECT s.* FROM {S}.ducklake_file_column_stats s JOIN {S}.ducklake_data_file d USING (data_file_id)
		JOIN {S}.ducklake_column col ON col.table_id = s.table_id AND col.column_id = s.column_id AND col.parent_column IS NULL
		WHERE s.value_count + s.null_count <> d.record_count`)
	c.none("file statistics belong to the file's table", `SELECT s.* FROM {S}.ducklake_file_column_stats s JOIN {S}.ducklake_data_file d USING (data_file_id) WHERE s.table_id <> d.table_id`)
	// Live rows: the stats must agree with what the lake reads.
	for _, r := range c.rows(`SELECT s.schema_name, t.table_name, ts.record_count FROM {S}.ducklake_table_stats ts
		JOIN {S}.ducklake_table t USING (table_id) JOIN {S}.ducklake_schema s USING (schema_id) WHERE t.end_snapshot IS NULL`) {
		n := c.f.one(`SELECT count(*) FROM ` + quoteIdent(r[0].(string)) + "." + quoteIdent(r[1].(string)))
		if n != r[2] {
			c.f.t.Errorf("%s.%s: ducklake_table_stats says %v rows, the lake reads %v", r[0], r[1], r[2], n)
		}
	}
}
