package lake

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestInlinedDataFromAnotherClient: rows and deletes the official client
// inlined into the catalog (its tables' shape in a Postgres catalog, as
// DuckDB's ducklake extension creates them) are read, counted in the
// table's statistics, make a merge fail with a message saying how to flush
// them, and are ended by an overwrite.
func TestInlinedDataFromAnotherClient(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), col("name", connectors.KindString)}
	f.load("s", "t", cols, idRows(1, 11), LoadAppend)
	var tableID, snap, version int64
	if err := f.pool.QueryRow(f.ctx, `SELECT t.table_id, s.snapshot_id, s.schema_version FROM lake_test.ducklake_table t,
		lake_test.ducklake_snapshot s ORDER BY s.snapshot_id DESC LIMIT 1`).Scan(&tableID, &snap, &version); err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("ducklake_inlined_data_%d_%d", tableID, version)
	for _, sql := range []string{
		fmt.Sprintf(`CREATE TABLE lake_test.%s (row_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, id BIGINT, name BYTEA)`, name),
		fmt.Sprintf(`INSERT INTO lake_test.ducklake_inlined_data_tables VALUES (%d, '%s', %d)`, tableID, name, version),
		fmt.Sprintf(`INSERT INTO lake_test.ducklake_snapshot SELECT snapshot_id + 1, now(), schema_version, next_catalog_id, next_file_id
			FROM lake_test.ducklake_snapshot WHERE snapshot_id = %d`, snap),
		fmt.Sprintf(`INSERT INTO lake_test.ducklake_snapshot_changes VALUES (%d, 'inlined_insert:%d', NULL, NULL, NULL)`, snap+1, tableID),
		fmt.Sprintf(`INSERT INTO lake_test.%s VALUES (10, %d, NULL, 100, 'inlined'::bytea)`, name, snap+1),
		`UPDATE lake_test.ducklake_table_stats SET record_count = 11, next_row_id = 11`,
	} {
		if _, err := f.pool.Exec(f.ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// Reads see the inlined row and an inlined delete of a file's row.
	for _, sql := range []string{
		fmt.Sprintf(`CREATE TABLE lake_test.ducklake_inlined_delete_%d (file_id BIGINT, row_id BIGINT, begin_snapshot BIGINT)`, tableID),
		fmt.Sprintf(`INSERT INTO lake_test.ducklake_inlined_delete_%d SELECT data_file_id, 2, %d FROM lake_test.ducklake_data_file`, tableID, snap+1),
	} {
		if _, err := f.pool.Exec(f.ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	before, after := snap, snap+1
	if got := f.one(`SELECT string_agg(name, ',' ORDER BY id) FROM s.t WHERE id IN (3, 100)`, QueryOptions{Snapshot: &after}); got != "inlined" {
		t.Errorf("at the inlined snapshot rows 3 and 100 read %v, want only the inlined row", got)
	}
	if got := f.one(`SELECT count(*) FROM s.t`, QueryOptions{Snapshot: &before}); got != int64(10) {
		t.Errorf("before the inlined snapshot %v rows, want 10", got)
	}
	files := f.stage("s", "t", cols, idRows(5, 6))
	_, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "s", Table: "t", Columns: cols, Method: LoadMerge, PrimaryKeys: []string{"id"}, Files: files})
	var ie *InlinedDataError
	if !errors.As(err, &ie) || ie.Rows != 1 {
		t.Fatalf("merge into a table with inlined rows: %v, want an InlinedDataError of 1 row", err)
	}
	f.load("s", "t", cols, idRows(20, 22), LoadAppend)
	var records int64
	if err := f.pool.QueryRow(f.ctx, `SELECT record_count FROM lake_test.ducklake_table_stats`).Scan(&records); err != nil {
		t.Fatal(err)
	}
	if records != 12 {
		t.Errorf("record_count %d after an append, want 12 (10 + 2 in files, 1 inlined, 1 deleted inline)", records)
	}
	res := f.load("s", "t", cols, idRows(30, 31), LoadOverwrite)
	var ended *int64
	if err := f.pool.QueryRow(f.ctx, fmt.Sprintf(`SELECT end_snapshot FROM lake_test.%s`, name)).Scan(&ended); err != nil {
		t.Fatal(err)
	}
	if ended == nil || *ended != res.SnapshotID {
		t.Errorf("the inlined row ends at %v, want the overwrite's snapshot %d", ended, res.SnapshotID)
	}
	f.load("s", "t", cols, idRows(30, 31), LoadMerge, "id") // nothing inlined is live any more
}
