package postgres

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-dev/sluice/connectors"
)

// binaryTypes are the column types whose binary form decodeBinary reads
// exactly as decode reads their text: a stream asks pgoutput for binary
// values only when every published column has one of them (see
// BinaryChanges), since pgoutput sends any type with a send function in
// binary, those pgx does not know included.
var binaryTypes = []uint32{
	pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID, pgtype.NumericOID, pgtype.TextOID, pgtype.VarcharOID, pgtype.BoolOID,
	pgtype.DateOID, pgtype.TimestampOID, pgtype.TimestamptzOID, pgtype.UUIDOID, pgtype.JSONOID, pgtype.JSONBOID,
	pgtype.ByteaOID, pgtype.Float4OID, pgtype.Float8OID,
}

// BinaryChanges reports whether a stream of the tables' changes can take
// pgoutput's binary values (StreamOptions.Binary): the server has them
// (Postgres 14 and later) and every column's type is one decodeBinary reads.
// Printing values as text is much of the server's work in a stream.
func (c *Connector) BinaryChanges(ctx context.Context, tables []connectors.TableRef) (bool, error) {
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.String()
	}
	oids := make([]int64, len(binaryTypes))
	for i, o := range binaryTypes {
		oids[i] = int64(o)
	}
	var ok bool
	err := c.pool.QueryRow(ctx, `SELECT current_setting('server_version_num')::int >= 140000 AND NOT EXISTS (
		SELECT 1 FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid JOIN pg_namespace n ON n.oid = r.relnamespace
		WHERE (n.nspname || '.' || r.relname) = ANY($1::text[]) AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.atttypid::int8 = ANY($2::int8[]))`,
		names, oids).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("read the types of the published columns: %w", err)
	}
	return ok, nil
}

// pgEpochMicros is where Postgres counts timestamps from, 2000-01-01, in
// microseconds since 1970.
const pgEpochMicros = 946_684_800_000_000

// decodeBinary turns a value's binary form into what decode makes of its
// text: the common types read here, the rest by the codec.
func (s *stream) decodeBinary(rel *relation, i int, data []byte) (any, error) {
	t := rel.types[i]
	switch oid := rel.oids[i]; {
	case oid == pgtype.JSONBOID && t.Kind == connectors.KindJSON && len(data) > 0 && data[0] == 1:
		return connectors.JSON(data[1:]), nil // a version byte, then the text
	case oid == pgtype.JSONOID && t.Kind == connectors.KindJSON:
		return connectors.JSON(data), nil
	case oid == pgtype.Int8OID && len(data) == 8:
		return int64(binary.BigEndian.Uint64(data)), nil
	case oid == pgtype.Int4OID && len(data) == 4:
		return int64(int32(binary.BigEndian.Uint32(data))), nil
	case oid == pgtype.Int2OID && len(data) == 2:
		return int64(int16(binary.BigEndian.Uint16(data))), nil
	case oid == pgtype.TextOID || oid == pgtype.VarcharOID:
		return string(data), nil
	case oid == pgtype.BoolOID && len(data) == 1:
		return data[0] != 0, nil
	case oid == pgtype.NumericOID:
		if text, ok := binaryNumericText(data); ok {
			return connectors.Decimal(text), nil
		}
	case (oid == pgtype.TimestamptzOID || oid == pgtype.TimestampOID) && len(data) == 8:
		us := int64(binary.BigEndian.Uint64(data))
		// Years 1 to 9999, as parseTimestamp reads them; the codec has the rest.
		if us > -63082281600000000 && us < 252455615999999999 {
			at := time.UnixMicro(us + pgEpochMicros).UTC()
			if oid == pgtype.TimestamptzOID {
				return at.In(time.Local), nil
			}
			return at, nil
		}
	}
	dt, ok := s.types.TypeForOID(rel.oids[i])
	if !ok {
		return nil, fmt.Errorf("pgoutput sent a binary value of type %d, which sluice does not read", rel.oids[i])
	}
	v, err := dt.Codec.DecodeValue(s.types, rel.oids[i], pgtype.BinaryFormatCode, data)
	if err != nil {
		return nil, err
	}
	return normalize(v, t), nil
}

// binaryNumericText prints a finite numeric's binary form (digit count, weight,
// sign, display scale, then base-10000 digits) as Postgres prints it,
// reporting false for NaN and the infinities, which the codec names.
func binaryNumericText(data []byte) ([]byte, bool) {
	if len(data) < 8 {
		return nil, false
	}
	n := int(binary.BigEndian.Uint16(data))
	weight := int(int16(binary.BigEndian.Uint16(data[2:])))
	sign := binary.BigEndian.Uint16(data[4:])
	scale := int(binary.BigEndian.Uint16(data[6:]))
	if (sign != 0 && sign != 0x4000) || len(data) != 8+2*n {
		return nil, false
	}
	digit := func(i int) int { // the base-10000 digit at position i (0: the first)
		if i < 0 || i >= n {
			return 0
		}
		return int(binary.BigEndian.Uint16(data[8+2*i:]))
	}
	out := make([]byte, 0, 4*(max(weight+1, 1)+n)+scale+2)
	if sign == 0x4000 {
		out = append(out, '-')
	}
	if weight < 0 {
		out = append(out, '0')
	}
	for i := 0; i <= weight; i++ {
		d := digit(i)
		if i == 0 {
			out = strconv.AppendInt(out, int64(d), 10)
			continue
		}
		out = append(out, byte('0'+d/1000), byte('0'+d/100%10), byte('0'+d/10%10), byte('0'+d%10))
	}
	if scale > 0 {
		out = append(out, '.')
		for k := 0; k < scale; k++ {
			d := digit(weight + 1 + k/4)
			place := [4]int{1000, 100, 10, 1}[k%4]
			out = append(out, byte('0'+d/place%10))
		}
	}
	return out, true
}
