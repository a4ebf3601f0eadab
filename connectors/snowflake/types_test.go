package snowflake

import (
	"math/big"
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
		{"NUMBER", 38, 0, "int"},
		{"FIXED", 18, 0, "int"},
		{"NUMBER", 12, 3, "decimal(12,3)"},
		{"fixed", 38, 10, "decimal(38,10)"},
		{"DECFLOAT", 0, 0, "decimal"},
		{"FLOAT", 0, 0, "float"},
		{"REAL", 0, 0, "float"},
		{"TEXT", 0, 0, "string"},
		{"BOOLEAN", 0, 0, "bool"},
		{"DATE", 0, 0, "date"},
		{"TIME", 9, 0, "time"},
		{"TIMESTAMP_NTZ", 9, 0, "timestamp"},
		{"TIMESTAMP_LTZ", 9, 0, "timestamptz"},
		{"TIMESTAMP_TZ", 9, 0, "timestamptz"},
		{"VARIANT", 0, 0, "json"},
		{"OBJECT", 0, 0, "json"},
		{"ARRAY", 0, 0, "json"},
		{"BINARY", 0, 0, "bytes"},
		{"GEOGRAPHY", 0, 0, "string"},
		{"VECTOR", 0, 0, "unknown"},
	}
	for _, c := range cases {
		if got := typeOf(c.name, c.precision, c.scale).String(); got != c.want {
			t.Errorf("typeOf(%s, %d, %d) = %s, want %s", c.name, c.precision, c.scale, got, c.want)
		}
	}
}

func TestSourceType(t *testing.T) {
	cases := map[string]string{
		sourceType("NUMBER", 12, 3, 0, 0):       "NUMBER(12,3)",
		sourceType("TEXT", 0, 0, 0, 16777216):   "VARCHAR(16777216)",
		sourceType("TIMESTAMP_TZ", 0, 0, 9, 0):  "TIMESTAMP_TZ(9)",
		sourceType("BINARY", 0, 0, 0, 8388608):  "BINARY(8388608)",
		sourceType("VARIANT", 0, 0, 0, 0):       "VARIANT",
		sourceType("TIME", 0, 0, 3, 0):          "TIME(3)",
		sourceType("BOOLEAN", 0, 0, 0, 0):       "BOOLEAN",
		sourceType("TIMESTAMP_NTZ", 0, 0, 6, 0): "TIMESTAMP_NTZ(6)",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("sourceType = %s, want %s", got, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	// What the driver computes for NUMBER(38,9) 12345678901234567890123456789.123456789:
	// the unscaled integer divided by 10^9 in binary.
	unscaled, _ := new(big.Int).SetString("12345678901234567890123456789123456789", 10)
	dec := new(big.Float).Quo(new(big.Float).SetInt(unscaled), new(big.Float).SetInt(big.NewInt(1_000_000_000)))
	small := new(big.Float).Quo(new(big.Float).SetInt64(-1), new(big.Float).SetInt64(1000))
	at := time.Date(2024, 1, 2, 4, 4, 5, 0, time.FixedZone("", 3600))
	cases := []struct {
		v        any
		typeName string
		scale    int
		want     any
	}{
		{big.NewInt(42), "FIXED", 0, int64(42)},
		{huge, "FIXED", 0, connectors.Decimal("123456789012345678901234567890")},
		{dec, "FIXED", 9, connectors.Decimal("12345678901234567890123456789.123456789")},
		{small, "FIXED", 3, connectors.Decimal("-0.001")},
		{int64(7), "FIXED", 0, int64(7)},
		{`{"k": [1, 2]}`, "VARIANT", 0, connectors.JSON(`{"k": [1, 2]}`)},
		{"[]", "ARRAY", 0, connectors.JSON("[]")},
		{"héllo", "TEXT", 0, "héllo"},
		{time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), "DATE", 0, connectors.Date("2024-02-29")},
		{time.Date(1970, 1, 1, 13, 14, 15, 500_000, time.UTC), "TIME", 0, connectors.TimeOfDay("13:14:15.0005")},
		{at, "TIMESTAMP_TZ", 0, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
		{nil, "TEXT", 0, nil},
	}
	for _, c := range cases {
		if got := normalize(c.v, c.typeName, c.scale); got != c.want {
			t.Errorf("normalize(%v, %s) = %#v, want %#v", c.v, c.typeName, got, c.want)
		}
	}
	ntz := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	if got := normalize(ntz, "TIMESTAMP_NTZ", 0); got != ntz {
		t.Errorf("TIMESTAMP_NTZ = %v", got)
	}
}
