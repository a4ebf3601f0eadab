package lake

import (
	"fmt"
	"os"
)

// files checks every data and delete file against its catalog row: it
// exists with the recorded size and row count, its field ids are the
// table's column ids, and delete files hold sorted, in-range positions.
func (c conformance) files() {
	t := c.f.t
	d, err := openDuck(c.f.ctx, "256MB", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tables := map[int64]*lakeTable{}
	snap, err := c.f.lake.latestSnapshot(c.f.ctx, c.f.pool)
	if err != nil {
		t.Fatal(err)
	}
	// Tables as of any snapshot: load each snapshot's view of them.
	for s := int64(0); s <= snap.ID; s++ {
		ts, err := c.f.lake.loadTables(c.f.ctx, c.f.pool, s)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range ts {
			tables[tb.ID] = tb
		}
	}
	for _, r := range c.rows(`SELECT data_file_id, table_id, path, path_is_relative, record_count, file_size_bytes, begin_snapshot FROM {S}.ducklake_data_file`) {
		tb := tables[r[1].(int64)]
		path := c.f.lake.filePath(tb, r[2].(string), r[3].(bool))
		info, err := os.Stat(path)
		if err != nil || info.Size() != r[5].(int64) {
			t.Errorf("data file %v: %v, size %v vs catalog %v", r[0], err, info.Size(), r[5])
			continue
		}
		var rows int64
		if err := d.conn.QueryRowContext(c.f.ctx, "SELECT num_rows FROM parquet_file_metadata("+quoteString(path)+")").Scan(&rows); err != nil || rows != r[4].(int64) {
			t.Errorf("data file %v has %d rows (%v), catalog says %v", r[0], rows, err, r[4])
		}
		c.fieldIDs(d, path, r[1].(int64), r[6].(int64))
	}
	for _, r := range c.rows(`SELECT x.delete_file_id, x.table_id, x.path, x.path_is_relative, x.delete_count, d.path, d.path_is_relative, d.record_count, x.file_size_bytes
		FROM {S}.ducklake_delete_file x JOIN {S}.ducklake_data_file d USING (data_file_id)`) {
		tb := tables[r[1].(int64)]
		path := c.f.lake.filePath(tb, r[2].(string), r[3].(bool))
		dataPath := c.f.lake.filePath(tb, r[5].(string), r[6].(bool))
		if info, err := os.Stat(path); err != nil || info.Size() != r[8].(int64) {
			t.Errorf("delete file %v: %v", r[0], err)
			continue
		}
		var n, distinct, maxPos int64
		var sorted bool
		var paths int64
		q := fmt.Sprintf(`SELECT count(*), count(DISTINCT pos), max(pos), bool_and(pos > prev OR prev IS NULL), count(DISTINCT file_path) FILTER (WHERE file_path = %s)
			FROM (SELECT pos, file_path, lag(pos) OVER () AS prev FROM read_parquet(%s))`, quoteString(dataPath), quoteString(path))
		if err := d.conn.QueryRowContext(c.f.ctx, q).Scan(&n, &distinct, &maxPos, &sorted, &paths); err != nil {
			t.Errorf("delete file %v: %v", r[0], err)
			continue
		}
		if n != r[4].(int64) || distinct != n || !sorted || maxPos >= r[7].(int64) || paths != 1 {
			t.Errorf("delete file %v: %d positions (%d distinct, sorted %v, max %d), catalog count %v, data rows %v, file_path matches %d",
				r[0], n, distinct, sorted, maxPos, r[4], r[7], paths)
		}
	}
}

// fieldIDs checks a data file's Parquet field ids against the columns its
// table had when the file was added.
func (c conformance) fieldIDs(d *duck, path string, tableID, begin int64) {
	t := c.f.t
	ids := map[string]int64{}
	elements := map[int64]bool{}
	for _, r := range c.rows(fmt.Sprintf(`SELECT column_name, column_id, parent_column IS NOT NULL FROM {S}.ducklake_column WHERE table_id = %d
		AND begin_snapshot <= %d AND (end_snapshot IS NULL OR end_snapshot > %d)`, tableID, begin, begin)) {
		if r[2].(bool) {
			elements[r[1].(int64)] = true
		} else {
			ids[r[0].(string)] = r[1].(int64)
		}
	}
	rows, err := d.conn.QueryContext(c.f.ctx, "SELECT name, field_id FROM parquet_schema("+quoteString(path)+") WHERE field_id IS NOT NULL")
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name string
		var id int64
		if err := rows.Scan(&name, &id); err != nil {
			t.Error(err)
			return
		}
		n++
		if name == rowIDColumn && id == rowIDFieldID {
			continue // the row ids a compacted file stores
		}
		if name == listElement {
			if !elements[id] {
				t.Errorf("%s: list element field id %d is no child column of the table", path, id)
			}
			continue
		}
		if ids[name] != id {
			t.Errorf("%s: column %s has field id %d, the catalog column id %d", path, name, id, ids[name])
		}
	}
	if n == 0 {
		t.Errorf("%s has no field ids", path)
	}
}
