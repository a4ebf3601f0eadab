package postgres

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-dev/sluice/connectors"
)

// decodeKind is how a column's binary values are decoded: straight into a
// typed layout for the common types, or by pgx into values for the rest.
type decodeKind uint8

const (
	decodeValue decodeKind = iota // pgx codec, then normalize
	decodeInt2
	decodeInt4
	decodeInt8
	decodeOID
	decodeFloat4
	decodeFloat8
	decodeBool
	decodeText
	decodeBytea
	decodeNumeric
	decodeTimestamp
	decodeJSON  // json: its binary form is its text
	decodeJSONB // jsonb: a version byte, then the text
	decodeUUID
	decodeDate
)

// postgresEpochMicros is 2000-01-01 00:00 UTC, binary timestamps' zero, in
// microseconds since 1970.
const postgresEpochMicros = 946_684_800_000_000

// decodeKindFor picks the decoding of a column of type oid whose lake type
// is t; known is whether pgx has a codec for the type.
func decodeKindFor(oid uint32, t connectors.Type, known bool) decodeKind {
	switch oid {
	case pgtype.Int2OID:
		return decodeInt2
	case pgtype.Int4OID:
		return decodeInt4
	case pgtype.Int8OID:
		return decodeInt8
	case pgtype.OIDOID:
		return decodeOID
	case pgtype.Float4OID:
		return decodeFloat4
	case pgtype.Float8OID:
		return decodeFloat8
	case pgtype.BoolOID:
		return decodeBool
	case pgtype.TextOID, pgtype.VarcharOID, pgtype.BPCharOID, pgtype.NameOID:
		return decodeText
	case pgtype.ByteaOID:
		return decodeBytea
	case pgtype.TimestampOID, pgtype.TimestamptzOID:
		return decodeTimestamp
	case pgtype.JSONOID:
		return decodeJSON
	case pgtype.JSONBOID:
		return decodeJSONB
	case pgtype.UUIDOID:
		return decodeUUID
	case pgtype.DateOID:
		if t.Kind == connectors.KindDate {
			return decodeDate
		}
	case pgtype.NumericOID:
		// Wider numerics too: most of their values still fit 18 digits, and
		// a batch holding one that does not turns into values.
		if t.Kind == connectors.KindDecimal && t.Precision > 0 && t.Scale >= 0 && t.Scale <= t.Precision {
			return decodeNumeric
		}
	}
	if !known && t.Kind != connectors.KindJSON {
		return decodeText // a type pgx does not know (enum, citext, …): its binary form is its text
	}
	return decodeValue
}

// layoutOf is the layout a decoding fills.
func layoutOf(k decodeKind) connectors.Layout {
	switch k {
	case decodeInt2, decodeInt4, decodeInt8, decodeOID:
		return connectors.LayoutInt64
	case decodeFloat4, decodeFloat8:
		return connectors.LayoutFloat64
	case decodeBool:
		return connectors.LayoutBool
	case decodeText, decodeUUID:
		return connectors.LayoutText
	case decodeJSON, decodeJSONB:
		return connectors.LayoutJSON
	case decodeDate:
		return connectors.LayoutDate
	case decodeBytea:
		return connectors.LayoutBytes
	case decodeNumeric:
		return connectors.LayoutDecimal
	case decodeTimestamp:
		return connectors.LayoutMicros
	}
	return connectors.LayoutValues
}

// appendFixed decodes a non-NULL value of a typed layout. It reports false,
// appending nothing, for a value the layout cannot hold (NaN, infinity, a
// numeric past int64), which the caller then decodes as a value.
func appendFixed(v *connectors.ColumnVector, k decodeKind, src []byte) (bool, error) {
	if want := fixedSize(k); want > 0 && len(src) != want {
		return false, fmt.Errorf("%d bytes for a %d-byte value", len(src), want)
	}
	switch k {
	case decodeInt2:
		v.Ints = append(v.Ints, int64(int16(binary.BigEndian.Uint16(src))))
	case decodeInt4:
		v.Ints = append(v.Ints, int64(int32(binary.BigEndian.Uint32(src))))
	case decodeInt8:
		v.Ints = append(v.Ints, int64(binary.BigEndian.Uint64(src)))
	case decodeOID:
		v.Ints = append(v.Ints, int64(binary.BigEndian.Uint32(src)))
	case decodeFloat4:
		v.Floats = append(v.Floats, float64(math.Float32frombits(binary.BigEndian.Uint32(src))))
	case decodeFloat8:
		v.Floats = append(v.Floats, math.Float64frombits(binary.BigEndian.Uint64(src)))
	case decodeBool:
		v.Bools = append(v.Bools, src[0] != 0)
	case decodeText, decodeBytea, decodeJSON:
		v.Data = append(v.Data, src...)
		v.Ends = append(v.Ends, len(v.Data))
	case decodeJSONB:
		if len(src) == 0 || src[0] != 1 { // a jsonb format this decoder does not know
			return false, nil
		}
		v.Data = append(v.Data, src[1:]...)
		v.Ends = append(v.Ends, len(v.Data))
	case decodeUUID:
		v.Data = appendUUID(v.Data, src)
		v.Ends = append(v.Ends, len(v.Data))
	case decodeDate:
		var ok bool
		if v.Data, ok = appendDate(v.Data, int32(binary.BigEndian.Uint32(src))); !ok {
			return false, nil
		}
		v.Ends = append(v.Ends, len(v.Data))
	case decodeTimestamp:
		us := int64(binary.BigEndian.Uint64(src))
		if us > math.MaxInt64-postgresEpochMicros || us == math.MinInt64 { // ±infinity and the far future
			return false, nil
		}
		v.Ints = append(v.Ints, us+postgresEpochMicros)
	case decodeNumeric:
		n, ok, err := unscaledNumeric(src, v.Scale)
		if !ok || err != nil {
			return false, err
		}
		v.Ints = append(v.Ints, n)
	}
	v.Nulls = append(v.Nulls, false)
	return true, nil
}

func fixedSize(k decodeKind) int {
	switch k {
	case decodeInt2:
		return 2
	case decodeInt4, decodeOID, decodeFloat4, decodeDate:
		return 4
	case decodeUUID:
		return 16
	case decodeInt8, decodeFloat8, decodeTimestamp:
		return 8
	case decodeBool:
		return 1
	}
	return 0
}

var pow10 = func() [19]int64 {
	var p [19]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// unscaledNumeric decodes a binary numeric (int16 digit count, weight, sign
// and display scale, then base-10000 digits) to its value times 10^scale. It
// reports false for NaN, infinities, more fractional digits than scale and
// values past 18 digits.
func unscaledNumeric(src []byte, scale int) (int64, bool, error) {
	if len(src) < 8 {
		return 0, false, fmt.Errorf("%d bytes for a numeric", len(src))
	}
	ndigits := int(binary.BigEndian.Uint16(src))
	weight := int(int16(binary.BigEndian.Uint16(src[2:])))
	sign := binary.BigEndian.Uint16(src[4:])
	if len(src) != 8+2*ndigits {
		return 0, false, fmt.Errorf("%d bytes for a numeric of %d digits", len(src), ndigits)
	}
	if sign != 0 && sign != 0x4000 { // NaN, +infinity, -infinity
		return 0, false, nil
	}
	var n int64
	for k := 0; k < ndigits; k++ {
		d := int64(binary.BigEndian.Uint16(src[8+2*k:]))
		if d == 0 {
			continue
		}
		e := 4*(weight-k) + scale // this digit group's power of ten in the result
		switch {
		case e < 0:
			if e <= -4 || d%pow10[-e] != 0 {
				return 0, false, nil
			}
			d /= pow10[-e]
		case e >= len(pow10) || d > math.MaxInt64/pow10[e]:
			return 0, false, nil
		default:
			d *= pow10[e]
		}
		if n > math.MaxInt64-d {
			return 0, false, nil
		}
		n += d
	}
	if n >= pow10[18] {
		return 0, false, nil
	}
	if sign == 0x4000 {
		n = -n
	}
	return n, true, nil
}
