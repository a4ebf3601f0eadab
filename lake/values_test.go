package lake

import (
	"reflect"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

func TestValuesRoundTrip(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{
		col("i", connectors.KindInt), col("f", connectors.KindFloat), decimalCol("d", 10, 3),
		col("s", connectors.KindString), col("b", connectors.KindBool), col("dt", connectors.KindDate),
		col("tm", connectors.KindTime), col("ts", connectors.KindTimestamp), col("tz", connectors.KindTimestampTZ),
		col("iv", connectors.KindInterval), col("j", connectors.KindJSON), col("by", connectors.KindBytes),
		col("u", connectors.KindUUID), {Name: "arr", Type: connectors.ArrayOf(connectors.Scalar(connectors.KindInt))},
		{Name: "arrs", Type: connectors.ArrayOf(connectors.Scalar(connectors.KindString))},
		col("un", connectors.KindUnknown), col("dn", connectors.KindDecimal),
		{Name: "arrb", Type: connectors.ArrayOf(connectors.Scalar(connectors.KindBytes))},
		{Name: "arrt", Type: connectors.ArrayOf(connectors.Scalar(connectors.KindTimestampTZ))},
		{Name: "arrd", Type: connectors.ArrayOf(connectors.DecimalType(10, 2))},
	}
	ts := time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)
	in := []any{int64(42), 1.5, connectors.Decimal("12.345"), "héllo 'quoted'", true, connectors.Date("2024-02-29"),
		connectors.TimeOfDay("12:34:56.5"), ts, ts, "P1Y2M3DT4H5M6.5S", connectors.JSON(`{"a": [1, 2]}`), []byte{0, 1, 255},
		"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", []any{int64(1), int64(2)}, []any{"x", "y"}, "whatever", connectors.Decimal("3.1415926535"),
		[]any{[]byte{1, 2}, nil}, []any{ts}, []any{connectors.Decimal("1.25"), nil}}
	nulls := make([]any, len(cols))
	f.load("kinds", "all", cols, [][]any{in, nulls}, LoadAppend)

	res := f.query(`SELECT * FROM kinds."all" ORDER BY i NULLS LAST`)
	want := []any{int64(42), 1.5, connectors.Decimal("12.345"), "héllo 'quoted'", true, connectors.Date("2024-02-29"),
		connectors.TimeOfDay("12:34:56.5"), ts, ts, "P1Y2M3DT4H5M6.5S", connectors.JSON(`{"a":[1,2]}`), []byte{0, 1, 255},
		"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", []any{int64(1), int64(2)}, []any{"x", "y"}, "whatever", connectors.Decimal("3.141592654"),
		[]any{[]byte{1, 2}, nil}, []any{ts}, []any{connectors.Decimal("1.25"), nil}}
	for i, w := range want {
		if got := res.Rows[0][i]; !reflect.DeepEqual(got, w) {
			t.Errorf("%s = %#v, want %#v", cols[i].Name, got, w)
		}
		if got := res.Rows[1][i]; got != nil {
			t.Errorf("%s of the NULL row = %#v", cols[i].Name, got)
		}
	}
	wantTypes := []string{"int", "float", "decimal(10,3)", "string", "bool", "date", "time", "timestamp", "timestamptz",
		"interval", "json", "bytes", "uuid", "array<int>", "array<string>", "string", "decimal(38,9)",
		"array<bytes>", "array<timestamptz>", "array<decimal(10,2)>"}
	got, err := f.lake.Columns(f.ctx, connectors.TableRef{Schema: "kinds", Name: "all"})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range got {
		if c.Type.String() != wantTypes[i] || res.Columns[i].Type.String() != wantTypes[i] {
			t.Errorf("column %s: catalog type %s, result type %s, want %s", c.Name, c.Type, res.Columns[i].Type, wantTypes[i])
		}
	}
}

func TestISOIntervals(t *testing.T) {
	for _, s := range []string{"P1Y2M3DT4H5M6.5S", "PT0S", "P-1Y-2M", "P3D", "PT-4H30M", "P1W"} {
		iv, err := parseISOInterval(s)
		if err != nil {
			t.Fatalf("parse %s: %v", s, err)
		}
		back, err := parseISOInterval(formatISOInterval(iv))
		if err != nil || back != iv {
			t.Errorf("%s -> %+v -> %s -> %+v (%v)", s, iv, formatISOInterval(iv), back, err)
		}
	}
	if _, err := parseISOInterval("1 day"); err == nil {
		t.Error("parsed a non-ISO interval")
	}
}

func TestDecimalUnscaled(t *testing.T) {
	conv := toUnscaled(12, 2)
	cases := map[any]any{
		connectors.Decimal("12.5"): int64(1250), "-0.01": int64(-1), "7": int64(700), int64(3): int64(300),
		"1.005": int64(101), "-1.005": int64(-101), "1e3": int64(100000), 2.25: int64(225), nil: nil,
		connectors.Decimal("9999999999.99"): int64(999999999999),
	}
	for in, want := range cases {
		if got, err := conv(in); err != nil || got != want {
			t.Errorf("%v -> %v (%v), want %v", in, got, err, want)
		}
	}
	for _, bad := range []any{"10000000000.00", "abc", "1.2.3", true} {
		if got, err := conv(bad); err == nil {
			t.Errorf("%v -> %v, want an error", bad, got)
		}
	}
}
