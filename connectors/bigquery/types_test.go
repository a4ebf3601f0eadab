package bigquery

import (
	"math/big"
	"testing"
	"time"

	bq "cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"

	"github.com/sluice-dev/sluice/connectors"
)

func TestTypeOf(t *testing.T) {
	cases := []struct {
		f    bq.FieldSchema
		want string
	}{
		{bq.FieldSchema{Type: bq.NumericFieldType}, "decimal(38,9)"},
		{bq.FieldSchema{Type: bq.NumericFieldType, Precision: 10}, "decimal(10,0)"},
		{bq.FieldSchema{Type: bq.BigNumericFieldType, Precision: 50, Scale: 20}, "decimal(50,20)"},
		{bq.FieldSchema{Type: bq.GeographyFieldType}, "string"},
		{bq.FieldSchema{Type: bq.IntervalFieldType}, "interval"},
		{bq.FieldSchema{Type: bq.RangeFieldType}, "json"},
		{bq.FieldSchema{Type: bq.RecordFieldType, Repeated: true}, "array<json>"},
		{bq.FieldSchema{Type: bq.DateTimeFieldType, Repeated: true}, "array<timestamp>"},
	}
	for _, c := range cases {
		if got := typeOf(&c.f).String(); got != c.want {
			t.Errorf("typeOf(%+v) = %s, want %s", c.f, got, c.want)
		}
	}
	rng := &bq.FieldSchema{Type: bq.RangeFieldType, RangeElementType: &bq.RangeElementType{Type: bq.DateFieldType}}
	if got := sourceType(rng); got != "RANGE<DATE>" {
		t.Errorf("range source type = %s", got)
	}
}

func TestDecimalText(t *testing.T) {
	rat := func(s string) *big.Rat { r, _ := new(big.Rat).SetString(s); return r }
	cases := []struct {
		value string
		f     bq.FieldSchema
		want  string
	}{
		{"1.5", bq.FieldSchema{Type: bq.NumericFieldType, Precision: 10, Scale: 2}, "1.50"},
		{"100", bq.FieldSchema{Type: bq.NumericFieldType}, "100"},
		{"-0.000000001", bq.FieldSchema{Type: bq.NumericFieldType}, "-0.000000001"},
		{"12345678901234567890123456789.123456789", bq.FieldSchema{Type: bq.NumericFieldType}, "12345678901234567890123456789.123456789"},
		{"0.00000000000000000000000000000000000001", bq.FieldSchema{Type: bq.BigNumericFieldType}, "0.00000000000000000000000000000000000001"},
		{"0", bq.FieldSchema{Type: bq.BigNumericFieldType}, "0"},
	}
	for _, c := range cases {
		if got := decimalText(rat(c.value), &c.f); got != c.want {
			t.Errorf("decimalText(%s, %+v) = %s, want %s", c.value, c.f, got, c.want)
		}
	}
}

func TestNormalizeOddTypes(t *testing.T) {
	day := civil.Date{Year: 2024, Month: 1, Day: 1}
	rng := &bq.FieldSchema{Type: bq.RangeFieldType}
	if got := normalize(&bq.RangeValue{Start: day}, rng); got != connectors.JSON(`{"end":null,"start":"2024-01-01"}`) {
		t.Errorf("range = %#v", got)
	}
	iv := &bq.FieldSchema{Type: bq.IntervalFieldType}
	if got := normalize(&bq.IntervalValue{Years: 1, Days: 2, Hours: 3}, iv); got != "1-0 2 3:0:0" {
		t.Errorf("interval = %#v", got)
	}
	tod := &bq.FieldSchema{Type: bq.TimeFieldType}
	if got := normalize(civil.Time{Hour: 9, Minute: 5, Nanosecond: 120_000_000}, tod); got != connectors.TimeOfDay("09:05:00.12") {
		t.Errorf("time = %#v", got)
	}
	ts := &bq.FieldSchema{Type: bq.TimestampFieldType}
	at := time.Date(2024, 1, 1, 12, 0, 0, 0, time.FixedZone("", 7200))
	if got := normalize(at, ts).(time.Time); got.Location() != time.UTC || !got.Equal(at) {
		t.Errorf("timestamp = %v", got)
	}
	nested := &bq.FieldSchema{Type: bq.RecordFieldType, Schema: bq.Schema{
		{Name: "n", Type: bq.NumericFieldType}, {Name: "d", Type: bq.JSONFieldType}, {Name: "xs", Type: bq.DateFieldType, Repeated: true}}}
	got := normalize([]bq.Value{new(big.Rat).SetFrac64(1, 4), `{"a":1}`, []bq.Value{day}}, nested)
	if got != connectors.JSON(`{"d":{"a":1},"n":"0.25","xs":["2024-01-01"]}`) {
		t.Errorf("nested record = %#v", got)
	}
}
