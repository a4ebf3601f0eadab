package lake

import (
	"database/sql"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// liveFileMeta returns "COMPRESSION encodings" of the first column of each
// live data file of o.<table>, as DuckDB's parquet_metadata reads them.
func (f *fixture) liveFileMeta(schema, table string) []string {
	f.t.Helper()
	rows, err := f.pool.Query(f.ctx, `SELECT d.path FROM lake_test.ducklake_data_file d
		JOIN lake_test.ducklake_table t USING (table_id) JOIN lake_test.ducklake_schema s USING (schema_id)
		WHERE s.schema_name = $1 AND t.table_name = $2 AND d.end_snapshot IS NULL AND t.end_snapshot IS NULL`, schema, table)
	if err != nil {
		f.t.Fatal(err)
	}
	var paths []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			f.t.Fatal(err)
		}
		paths = append(paths, filepath.Join(f.lake.DataPath(), schema, table, p))
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	var out []string
	for _, p := range paths {
		var meta string
		err := db.QueryRowContext(f.ctx, `SELECT compression || ' ' || encodings FROM parquet_metadata(?) WHERE column_id = 0 LIMIT 1`, p).Scan(&meta)
		if err != nil {
			f.t.Fatalf("read %s: %v", p, err)
		}
		out = append(out, meta)
	}
	sort.Strings(out)
	return out
}

func (f *fixture) setOption(key, value, scope string, scopeID any) {
	f.t.Helper()
	if _, err := f.pool.Exec(f.ctx, `DELETE FROM lake_test.ducklake_metadata WHERE key = $1 AND scope IS NOT DISTINCT FROM $2`, key, nilIfEmpty(scope)); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.pool.Exec(f.ctx, `INSERT INTO lake_test.ducklake_metadata VALUES ($1, $2, $3, $4)`, key, value, nilIfEmpty(scope), scopeID); err != nil {
		f.t.Fatal(err)
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// TestFileFormatFollowsLakeOptions writes tables under the options the
// ducklake extension's set_option stores (values as it stores them:
// 'V1', 'zstd', '5'), lake-wide, for a schema and for a table, and reads
// back how each file was written: the most specific scope wins, rewrites
// (compaction) follow the options too, and a value no client would store
// fails the write naming the option.
func TestFileFormatFollowsLakeOptions(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), col("name", connectors.KindString)}
	rows := idRows(1, 5000)
	for i := range rows {
		rows[i] = []any{rows[i][0], "n"}
	}

	// A lake sluice creates writes Parquet version 2 (see lake/README.md).
	var version string
	if err := f.pool.QueryRow(f.ctx, `SELECT value FROM lake_test.ducklake_metadata WHERE key = 'parquet_version' AND scope IS NULL`).Scan(&version); err != nil {
		t.Fatalf("a new lake's parquet_version: %v", err)
	}
	f.load("a", "t", cols, rows, LoadAppend)
	if got := f.liveFileMeta("a", "t"); len(got) != 1 || got[0] != "SNAPPY DELTA_BINARY_PACKED" {
		t.Errorf("new lake (parquet_version %s): files %v, want one SNAPPY DELTA_BINARY_PACKED", version, got)
	}

	f.setOption("parquet_version", "V1", "", nil)
	f.load("a", "v1", cols, rows, LoadAppend)
	if got := f.liveFileMeta("a", "v1"); len(got) != 1 || got[0] != "SNAPPY PLAIN" {
		t.Errorf("parquet_version V1: files %v, want one SNAPPY PLAIN", got)
	}

	// Schema b's files are zstd; its table z, gzip.
	f.load("b", "y", cols, rows[:10], LoadAppend)
	f.load("b", "z", cols, rows[:10], LoadAppend)
	var schemaID, tableID int64
	if err := f.pool.QueryRow(f.ctx, `SELECT s.schema_id, t.table_id FROM lake_test.ducklake_schema s JOIN lake_test.ducklake_table t USING (schema_id)
		WHERE s.schema_name = 'b' AND t.table_name = 'z'`).Scan(&schemaID, &tableID); err != nil {
		t.Fatal(err)
	}
	f.setOption("parquet_compression", "zstd", "schema", schemaID)
	f.setOption("parquet_compression_level", "5", "schema", schemaID)
	f.setOption("parquet_compression", "gzip", "table", tableID)
	f.load("b", "y", cols, rows[10:20], LoadAppend)
	f.load("b", "z", cols, rows[10:20], LoadAppend)
	f.load("b", "new", cols, rows[:10], LoadAppend) // a table created under the schema's options
	want := map[string][]string{
		"y":   {"SNAPPY PLAIN", "ZSTD PLAIN"},
		"z":   {"GZIP PLAIN", "SNAPPY PLAIN"},
		"new": {"ZSTD PLAIN"},
	}
	for table, w := range want {
		if got := f.liveFileMeta("b", table); strings.Join(got, ",") != strings.Join(w, ",") {
			t.Errorf("b.%s: files %v, want %v", table, got, w)
		}
	}

	// Compaction rewrites z's two small files under its options.
	if _, err := f.lake.CompactTable(f.ctx, "b", "z", CompactOptions{}); err != nil {
		t.Fatalf("compact: %v", err)
	}
	if got := f.liveFileMeta("b", "z"); strings.Join(got, ",") != "GZIP PLAIN" {
		t.Errorf("b.z compacted: files %v, want one GZIP PLAIN", got)
	}
	if n := f.one(`SELECT count(*) FROM b.z`); n != int64(20) {
		t.Errorf("b.z has %v rows after compaction, want 20", n)
	}

	for key, value := range map[string]string{"parquet_version": "3", "parquet_compression": "zip'; --", "parquet_compression_level": "high"} {
		f.setOption(key, value, "table", tableID)
		_, err := f.lake.NewTableWriter(f.ctx, "b", "z", cols)
		if err == nil || !strings.Contains(err.Error(), "lake option "+key) {
			t.Errorf("%s = %q: writer error %v, want one naming the option", key, value, err)
		}
		if _, err := f.pool.Exec(f.ctx, `DELETE FROM lake_test.ducklake_metadata WHERE key = $1 AND scope = 'table'`, key); err != nil {
			t.Fatal(err)
		}
	}
}
