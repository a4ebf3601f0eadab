package lake

import (
	"fmt"
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

// TestWideDecimalsRoundTrip writes decimals wider than 18 digits (staged as
// their unscaled integer's text, scaled back by DuckDB) and reads them
// back exactly: extremes of each precision, negatives, rounding of extra
// digits, exponents, and the widest scale.
func TestWideDecimalsRoundTrip(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), decimalCol("a", 20, 6), decimalCol("b", 38, 0),
		decimalCol("c", 38, 10), decimalCol("d", 38, 38), col("e", connectors.KindDecimal)}
	rows := [][]any{
		{int64(1), connectors.Decimal("12345678901234.567890"), connectors.Decimal("99999999999999999999999999999999999999"),
			connectors.Decimal("-1234567890123456789012345678.0123456789"), connectors.Decimal("0.12345678901234567890123456789012345678"), connectors.Decimal("1.5")},
		{int64(2), connectors.Decimal("-99999999999999.999999"), connectors.Decimal("-99999999999999999999999999999999999999"),
			connectors.Decimal("0.00000000005"), connectors.Decimal("-0.00000000000000000000000000000000000001"), connectors.Decimal("-7")},
		{int64(3), connectors.Decimal("1.0000005"), connectors.Decimal("12.5"), connectors.Decimal("1e20"), connectors.Decimal("0"), nil},
		{int64(4), nil, int64(-42), 2.25, nil, connectors.Decimal("123456789012345678901234567.123456789")},
	}
	f.load("w", "dec", cols, rows, LoadAppend)
	got := f.query(`SELECT CAST(a AS VARCHAR), CAST(b AS VARCHAR), CAST(c AS VARCHAR), CAST(d AS VARCHAR), CAST(e AS VARCHAR) FROM w.dec ORDER BY id`)
	want := [][]any{
		{"12345678901234.567890", "99999999999999999999999999999999999999", "-1234567890123456789012345678.0123456789", ".12345678901234567890123456789012345678", "1.500000000"},
		{"-99999999999999.999999", "-99999999999999999999999999999999999999", "0.0000000001", "-.00000000000000000000000000000000000001", "-7.000000000"},
		{"1.000001", "13", "100000000000000000000.0000000000", ".00000000000000000000000000000000000000", nil},
		{nil, "-42", "2.2500000000", nil, "123456789012345678901234567.123456789"},
	}
	if fmt.Sprint(got.Rows) != fmt.Sprint(want) {
		t.Fatalf("wide decimals read back as\n%v\nwant\n%v", got.Rows, want)
	}
	for _, bad := range []any{connectors.Decimal("100000000000000.000000"), "not a number"} {
		if _, err := toUnscaledWide(20, 6)(bad); err == nil {
			t.Errorf("%v: no error for a value decimal(20,6) cannot hold", bad)
		}
	}
}
