package connectors

import (
	"reflect"
	"testing"
	"time"
)

func TestFormatUnscaled(t *testing.T) {
	cases := []struct {
		n     int64
		scale int
		want  string
	}{
		{1250, 2, "12.50"}, {-1250, 2, "-12.50"}, {5, 3, "0.005"}, {-5, 3, "-0.005"}, {0, 2, "0.00"},
		{42, 0, "42"}, {-9223372036854775808, 2, "-92233720368547758.08"},
	}
	for _, c := range cases {
		if got := FormatUnscaled(c.n, c.scale); got != c.want {
			t.Errorf("FormatUnscaled(%d, %d) = %q, want %q", c.n, c.scale, got, c.want)
		}
	}
}

// batchOf builds a one-row-per-entry batch of every layout; row 1 is NULL.
func batchOf() *ColumnBatch {
	at := time.Date(2024, 2, 29, 12, 0, 0, 1000, time.UTC)
	return &ColumnBatch{Len: 3, Cols: []ColumnVector{
		{Layout: LayoutInt64, Nulls: []bool{false, true, false}, Ints: []int64{7, 0, 9}},
		{Layout: LayoutFloat64, Nulls: []bool{false, true, false}, Floats: []float64{2.5, 0, -1}},
		{Layout: LayoutBool, Nulls: []bool{false, true, false}, Bools: []bool{true, false, false}},
		{Layout: LayoutText, Nulls: []bool{false, true, false}, Data: []byte("héz"), Ends: []int{3, 3, 4}},
		{Layout: LayoutBytes, Nulls: []bool{false, true, false}, Data: []byte{0, 1}, Ends: []int{1, 1, 2}},
		{Layout: LayoutDecimal, Scale: 2, Nulls: []bool{false, true, false}, Ints: []int64{-1, 0, 1250}},
		{Layout: LayoutMicros, Nulls: []bool{false, true, false}, Ints: []int64{at.UnixMicro(), 0, 0}},
		{Layout: LayoutValues, Nulls: []bool{false, true, false}, Values: []any{Date("2024-02-29"), nil, Date("2024-03-01")}},
	}}
}

func TestColumnBatchRows(t *testing.T) {
	at := time.Date(2024, 2, 29, 12, 0, 0, 1000, time.UTC)
	want := [][]any{
		{int64(7), 2.5, true, "hé", []byte{0}, Decimal("-0.01"), at, Date("2024-02-29")},
		{nil, nil, nil, nil, nil, nil, nil, nil},
		{int64(9), -1.0, false, "z", []byte{1}, Decimal("12.50"), time.UnixMicro(0).UTC(), Date("2024-03-01")},
	}
	if got := batchOf().Rows(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Rows() = %v, want %v", got, want)
	}
}

func TestMaxIndexFollowsCursorGreater(t *testing.T) {
	b := batchOf()
	for i, want := range []int{2, 0, 0, 2, 0, 2, 0, 2} {
		if got := b.Cols[i].MaxIndex(b.Len); got != want {
			t.Errorf("column %d (layout %d): MaxIndex = %d, want %d", i, b.Cols[i].Layout, got, want)
		}
	}
	nulls := ColumnVector{Layout: LayoutInt64, Nulls: []bool{true}, Ints: []int64{0}}
	if got := nulls.MaxIndex(1); got != -1 {
		t.Errorf("all NULL: MaxIndex = %d, want -1", got)
	}
}
