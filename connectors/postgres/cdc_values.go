package postgres

import (
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-dev/sluice/connectors"
)

// decode turns a value's text form into connectors.ResultSet's form. The
// common types are read straight from their text, each to what pgx's codec
// and normalize would make of it; a value outside the plain forms read
// here goes to the codec.
func (s *stream) decode(rel *relation, i int, text []byte) (any, error) {
	t := rel.types[i]
	switch oid := rel.oids[i]; {
	case t.Kind == connectors.KindJSON:
		return connectors.JSON(text), nil
	case oid == pgtype.Int8OID || oid == pgtype.Int4OID || oid == pgtype.Int2OID:
		if n, ok := parseInt(text); ok {
			return n, nil
		}
		return strconv.ParseInt(string(text), 10, 64)
	case oid == pgtype.TextOID || oid == pgtype.VarcharOID:
		return string(text), nil
	case oid == pgtype.BoolOID && len(text) == 1 && (text[0] == 't' || text[0] == 'f'):
		return text[0] == 't', nil
	case oid == pgtype.NumericOID && plainDecimal(text):
		// Postgres prints a numeric exactly as numericText would.
		return connectors.Decimal(text), nil
	case oid == pgtype.TimestamptzOID:
		if at, ok := parseTimestamp(text, true); ok {
			return at.In(time.Local), nil // as pgx's codec gives it
		}
	case oid == pgtype.TimestampOID:
		if at, ok := parseTimestamp(text, false); ok {
			return at, nil
		}
	}
	dt, ok := s.types.TypeForOID(rel.oids[i])
	if !ok {
		return string(text), nil
	}
	v, err := dt.Codec.DecodeValue(s.types, rel.oids[i], pgtype.TextFormatCode, text)
	if err != nil {
		return nil, err
	}
	return normalize(v, t), nil
}

// parseInt reads a decimal integer of up to 18 digits, reporting false
// for anything else (which strconv then reads, or explains).
func parseInt(text []byte) (int64, bool) {
	neg := len(text) > 0 && text[0] == '-'
	if neg {
		text = text[1:]
	}
	if len(text) == 0 || len(text) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range text {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// plainDecimal reports whether text is an optionally signed decimal with
// at most one point: not NaN or Infinity, which the codec names.
func plainDecimal(text []byte) bool {
	if len(text) > 0 && text[0] == '-' {
		text = text[1:]
	}
	digits, points := 0, 0
	for _, c := range text {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			points++
		default:
			return false
		}
	}
	return digits > 0 && points <= 1
}

// parseTimestamp reads the ISO form Postgres prints a timestamp in
// (2024-01-31 12:34:56.789, then ±hh[:mm[:ss]] when zoned), for years 1 to
// 9999. It reports false for anything else (BC, infinity, other date
// styles), which the codec reads.
func parseTimestamp(text []byte, zoned bool) (time.Time, bool) {
	if len(text) < 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digitsAt(text, 0, 4)
	month, ok2 := digitsAt(text, 5, 2)
	day, ok3 := digitsAt(text, 8, 2)
	hour, ok4 := digitsAt(text, 11, 2)
	minute, ok5 := digitsAt(text, 14, 2)
	sec, ok6 := digitsAt(text, 17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || year == 0 {
		return time.Time{}, false
	}
	rest, nanos := text[19:], 0
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 || n > 10 {
			return time.Time{}, false
		}
		frac, _ := digitsAt(rest, 1, n-1)
		for k := n - 1; k < 9; k++ {
			frac *= 10
		}
		nanos, rest = frac, rest[n:]
	}
	offset := 0
	if zoned {
		var ok bool
		if offset, ok = parseOffset(rest); !ok {
			return time.Time{}, false
		}
	} else if len(rest) != 0 {
		return time.Time{}, false
	}
	at := time.Date(year, time.Month(month), day, hour, minute, sec, nanos, time.UTC)
	return at.Add(-time.Duration(offset) * time.Second), true
}

// parseOffset reads a UTC offset, ±hh[:mm[:ss]], in seconds.
func parseOffset(text []byte) (int, bool) {
	if len(text) != 3 && len(text) != 6 && len(text) != 9 || (text[0] != '+' && text[0] != '-') {
		return 0, false
	}
	secs := 0
	for k, unit := 1, 3600; k < len(text); k, unit = k+3, unit/60 {
		if k > 1 && text[k-1] != ':' {
			return 0, false
		}
		v, ok := digitsAt(text, k, 2)
		if !ok {
			return 0, false
		}
		secs += v * unit
	}
	if text[0] == '-' {
		secs = -secs
	}
	return secs, true
}

// digitsAt reads n decimal digits at text[at:].
func digitsAt(text []byte, at, n int) (int, bool) {
	v := 0
	for _, c := range text[at : at+n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}
