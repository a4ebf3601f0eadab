package sqlserver

import (
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

func TestTypeOf(t *testing.T) {
	cases := []struct {
		name             string
		precision, scale int
		want             string
	}{
		{"bit", 0, 0, "bool"},
		{"BIGINT", 0, 0, "int"},
		{"decimal", 12, 3, "decimal(12,3)"},
		{"NUMERIC", 38, 0, "decimal(38,0)"},
		{"money", 19, 4, "decimal(19,4)"},
		{"smallmoney", 0, 0, "decimal(10,4)"},
		{"real", 0, 0, "float"},
		{"date", 0, 0, "date"},
		{"time", 0, 7, "time"},
		{"datetime2", 0, 7, "timestamp"},
		{"smalldatetime", 0, 0, "timestamp"},
		{"DATETIMEOFFSET", 0, 7, "timestamptz"},
		{"nvarchar", 0, 0, "string"},
		{"xml", 0, 0, "string"},
		{"json", 0, 0, "json"},
		{"varbinary", 0, 0, "bytes"},
		{"rowversion", 0, 0, "bytes"},
		{"uniqueidentifier", 0, 0, "uuid"},
		{"geography", 0, 0, "unknown"},
		{"sql_variant", 0, 0, "unknown"},
	}
	for _, c := range cases {
		if got := typeOf(c.name, c.precision, c.scale).String(); got != c.want {
			t.Errorf("typeOf(%s, %d, %d) = %s, want %s", c.name, c.precision, c.scale, got, c.want)
		}
	}
}

func TestSourceType(t *testing.T) {
	cases := []struct {
		name                      string
		maxLength, precision, scl int
		want                      string
	}{
		{"nvarchar", 100, 0, 0, "nvarchar(50)"},
		{"nvarchar", -1, 0, 0, "nvarchar(max)"},
		{"varbinary", 16, 0, 0, "varbinary(16)"},
		{"decimal", 9, 12, 3, "decimal(12,3)"},
		{"datetime2", 8, 27, 7, "datetime2(7)"},
		{"int", 4, 10, 0, "int"},
	}
	for _, c := range cases {
		if got := sourceType(c.name, c.maxLength, c.precision, c.scl); got != c.want {
			t.Errorf("sourceType(%s) = %s, want %s", c.name, got, c.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	// The GUID 6F9619FF-8B86-D011-B42D-00C04FC964FF as SQL Server sends it:
	// the first three groups little-endian.
	guid := []byte{0xFF, 0x19, 0x96, 0x6F, 0x86, 0x8B, 0x11, 0xD0, 0xB4, 0x2D, 0x00, 0xC0, 0x4F, 0xC9, 0x64, 0xFF}
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	tod := time.Date(1, 1, 1, 13, 14, 15, 123_400_000, time.UTC)
	cases := []struct {
		v        any
		typeName string
		want     any
	}{
		{guid, "UNIQUEIDENTIFIER", "6f9619ff-8b86-d011-b42d-00c04fc964ff"},
		{[]byte("-0.0100"), "MONEY", connectors.Decimal("-0.0100")},
		{day, "DATE", connectors.Date("2024-02-29")},
		{tod, "TIME", connectors.TimeOfDay("13:14:15.1234")},
		{time.Date(1, 1, 1, 9, 0, 0, 0, time.UTC), "TIME", connectors.TimeOfDay("09:00:00")},
		{`{"k":1}`, "JSON", connectors.JSON(`{"k":1}`)},
		{"<a/>", "XML", "<a/>"},
		{int64(7), "INT", int64(7)},
		{nil, "INT", nil},
	}
	for _, c := range cases {
		if got := normalize(c.v, c.typeName); got != c.want {
			t.Errorf("normalize(%v, %s) = %#v, want %#v", c.v, c.typeName, got, c.want)
		}
	}
	if got, ok := normalize([]byte{0, 1, 0xff}, "VARBINARY").([]byte); !ok || string(got) != "\x00\x01\xff" {
		t.Errorf("varbinary = %#v", got)
	}
}
