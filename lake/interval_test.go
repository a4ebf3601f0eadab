package lake

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestNegativeIntervals: a source with negative intervals (which Parquet's
// INTERVAL cannot hold), alone and in lists, syncs, reads back exactly,
// microseconds included, and its null count is right.
func TestNegativeIntervals(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), col("iv", connectors.KindInterval),
		{Name: "ivs", Type: connectors.ArrayOf(connectors.Scalar(connectors.KindInterval))}}
	in := []string{"P-1D", "PT-2H-30M", "P-1Y-2M-3DT-4H-5M-6.000001S", "PT0.000001S", "P1Y2M3DT4H5M6.5S"}
	var rows [][]any
	for i, iv := range in {
		rows = append(rows, []any{int64(i), iv, []any{iv, nil}})
	}
	rows = append(rows, []any{int64(len(in)), nil, nil})
	f.load("s", "t", cols, rows, LoadAppend)
	res := f.query(`SELECT iv, ivs[1] FROM s.t ORDER BY id`)
	for i, want := range in {
		if res.Rows[i][0] != want || res.Rows[i][1] != want {
			t.Errorf("row %d reads %v, want %s", i, res.Rows[i], want)
		}
	}
	if got := f.one(`SELECT count(*) FROM s.t WHERE iv < INTERVAL 0 SECOND`); got != int64(3) {
		t.Errorf("%v negative intervals, want 3", got)
	}
	var nulls int64
	if err := f.pool.QueryRow(f.ctx, `SELECT s.null_count FROM lake_test.ducklake_file_column_stats s
		JOIN lake_test.ducklake_column c USING (table_id, column_id) WHERE c.column_name = 'iv'`).Scan(&nulls); err != nil {
		t.Fatal(err)
	}
	if nulls != 1 {
		t.Errorf("interval null_count = %d, want 1", nulls)
	}
}

// TestWriteErrorsHideLakePath: a write that fails names the table, not the
// server's directory, and keeps its cause: a value DuckDB cannot cast is a
// ValueError; a file that cannot be written a pathless error.
func TestWriteErrorsHideLakePath(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), col("u", connectors.KindUUID)}
	write := func(value string, before func(*TableWriter)) error {
		t.Helper()
		w, err := f.lake.NewTableWriter(f.ctx, "s", "t", cols)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Abort()
		if err := w.WriteBatch(f.ctx, [][]any{{int64(1), value}}); err != nil {
			return err
		}
		before(w)
		_, err = w.Finish(f.ctx)
		if err == nil {
			t.Fatalf("writing %q succeeded", value)
		}
		if strings.Contains(err.Error(), f.lake.DataPath()) || !strings.Contains(err.Error(), "s.t") {
			t.Errorf("error %q shows the lake's path or hides the table", err)
		}
		return err
	}
	var ve *ValueError
	if err := write("not-a-uuid", func(*TableWriter) {}); !errors.As(err, &ve) || ve.Column != "u" {
		t.Errorf("a UUID that is not one: %v (%T), want a ValueError of column u", err, err)
	}
	// The table's directory gone under the writer: DuckDB cannot create the file.
	err := write("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", func(w *TableWriter) {
		if err := os.RemoveAll(w.dir); err != nil {
			t.Fatal(err)
		}
	})
	var pe *pathlessError
	if !errors.As(err, &pe) || pe.Unwrap() == nil {
		t.Errorf("error %q does not keep its cause", err)
	}
}
