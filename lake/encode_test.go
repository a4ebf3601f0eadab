package lake

import (
	"context"
	"math"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestNaNFoundByBloomFilters: Go's NaN (math.NaN) is written as DuckDB's
// NaN, so a reader that probes the Parquet bloom filter for NaN (DuckDB
// 1.5, the official ducklake client, on `WHERE x = 'nan'`) finds its row
// group; with Go's bit pattern it skipped it and lost the rows.
func TestNaNFoundByBloomFilters(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), col("x", connectors.KindFloat),
		{Name: "xs", Type: connectors.ArrayOf(connectors.Scalar(connectors.KindFloat))}}
	var rows [][]any
	for i := 0; i < 50; i++ {
		x := float64(i % 3)
		if i%5 == 0 {
			x = math.NaN()
		}
		rows = append(rows, []any{int64(i), x, []any{x, nil}})
	}
	files := f.stage("s", "t", cols, rows)
	d, err := openDuck(context.Background(), "100MB", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, file := range files {
		var excluded bool
		if err := d.conn.QueryRowContext(f.ctx, "SELECT bloom_filter_excludes FROM parquet_bloom_probe("+quoteString(file.Path)+", 'x', CAST('nan' AS DOUBLE))").Scan(&excluded); err != nil {
			t.Fatal(err)
		}
		if excluded {
			t.Errorf("the bloom filter of %s excludes NaN, which the file holds", file.Path)
		}
		var nans, listNaNs int64
		if err := d.conn.QueryRowContext(f.ctx, "SELECT count(*) FILTER (WHERE isnan(x)), count(*) FILTER (WHERE isnan(xs[1])) FROM read_parquet("+quoteString(file.Path)+")").Scan(&nans, &listNaNs); err != nil {
			t.Fatal(err)
		}
		if nans != 10 || listNaNs != 10 {
			t.Errorf("%d NaNs and %d in lists, want 10 each", nans, listNaNs)
		}
	}
}
