package postgres

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-dev/sluice/connectors"
)

// TestCDCDecodeMatchesTheCodec checks that the text read straight from a
// change gives what pgx's codec and normalize give for the same text, for
// the forms read directly and the ones handed on to the codec.
func TestCDCDecodeMatchesTheCodec(t *testing.T) {
	cases := []struct {
		oid   uint32
		typ   connectors.Type
		texts []string
	}{
		{pgtype.Int2OID, connectors.Scalar(connectors.KindInt), []string{"0", "-32768", "32767"}},
		{pgtype.Int4OID, connectors.Scalar(connectors.KindInt), []string{"7", "-2147483648", "2147483647"}},
		{pgtype.Int8OID, connectors.Scalar(connectors.KindInt), []string{"1", "-1", "999999999999999999", "9223372036854775807", "-9223372036854775808"}},
		{pgtype.BoolOID, connectors.Scalar(connectors.KindBool), []string{"t", "f"}},
		{pgtype.NumericOID, connectors.Type{Kind: connectors.KindDecimal, Precision: 12, Scale: 2}, []string{"1.00", "-0.50", "0.01", "1250.25", "0"}},
		{pgtype.NumericOID, connectors.Type{Kind: connectors.KindDecimal}, []string{"123456789012345678901234567890.123456789012345678901234567890",
			"-0.000000000000000000000000000001", "100000000000000000000", "NaN", "Infinity", "-Infinity"}},
		{pgtype.TimestamptzOID, connectors.Scalar(connectors.KindTimestampTZ), []string{"2024-01-01 00:00:01+00", "2024-02-29 23:59:59.123456+05:30",
			"1999-12-31 23:59:59.5-08", "1901-12-13 20:45:52+00:53:28", "0001-01-01 00:00:00+00", "0044-03-15 12:00:00+00 BC",
			"10000-01-01 00:00:00+00", "infinity", "-infinity", "2024-06-01 12:00:00.1+00"}},
		{pgtype.TimestampOID, connectors.Scalar(connectors.KindTimestamp), []string{"2024-01-01 00:00:01", "2024-02-29 23:59:59.000001",
			"0044-03-15 12:00:00 BC", "infinity", "-infinity"}},
		{pgtype.TextOID, connectors.Scalar(connectors.KindString), []string{"", "héllo", "a\x00b"}},
		{pgtype.VarcharOID, connectors.Scalar(connectors.KindString), []string{"x"}},
		{pgtype.DateOID, connectors.Scalar(connectors.KindDate), []string{"2024-01-31", "infinity"}},
		{pgtype.UUIDOID, connectors.Scalar(connectors.KindString), []string{"5f0c5d8e-9b1f-4c1e-8c3f-2a9d1b7e6f10"}},
		{pgtype.Float8OID, connectors.Scalar(connectors.KindFloat), []string{"1.5", "NaN", "-Infinity"}},
		{pgtype.Float4OID, connectors.Scalar(connectors.KindFloat), []string{"0.25"}},
		{pgtype.ByteaOID, connectors.Scalar(connectors.KindBytes), []string{`\x00ff10`}},
		{pgtype.JSONBOID, connectors.Scalar(connectors.KindJSON), []string{`{"a": [1, 2]}`}},
	}
	s := &stream{types: pgtype.NewMap()}
	for _, c := range cases {
		rel := &relation{oids: []uint32{c.oid}, types: []connectors.Type{c.typ}, names: []string{"v"}}
		for _, text := range c.texts {
			got, err := s.decode(rel, 0, []byte(text))
			if err != nil {
				t.Errorf("oid %d %q: %v", c.oid, text, err)
				continue
			}
			want := viaCodec(t, s.types, c.oid, c.typ, text)
			if gt, ok := got.(time.Time); ok {
				wt, ok := want.(time.Time)
				if !ok || !gt.Equal(wt) || gt.Location() != wt.Location() {
					t.Errorf("oid %d %q: %v (%s), the codec gives %v", c.oid, text, got, gt.Location(), want)
				}
				continue
			}
			if fmt.Sprintf("%T %#v", got, got) != fmt.Sprintf("%T %#v", want, want) { // NaN is not DeepEqual to itself
				t.Errorf("oid %d %q: %#v, the codec gives %#v", c.oid, text, got, want)
			}
		}
	}
}

// viaCodec decodes text as the stream did before it read common forms
// itself (JSON aside, which was always kept as sent).
func viaCodec(t *testing.T, m *pgtype.Map, oid uint32, typ connectors.Type, text string) any {
	t.Helper()
	if typ.Kind == connectors.KindJSON {
		return connectors.JSON(text)
	}
	dt, ok := m.TypeForOID(oid)
	if !ok {
		t.Fatalf("no codec for oid %d", oid)
	}
	v, err := dt.Codec.DecodeValue(m, oid, pgtype.TextFormatCode, []byte(text))
	if err != nil {
		t.Fatalf("codec, oid %d %q: %v", oid, text, err)
	}
	return normalize(v, typ)
}

// TestCDCTupleReadsEveryKindOfColumn decodes a tuple of a null, an
// unchanged TOASTed value and text values, and rejects a truncated one.
func TestCDCTupleReadsEveryKindOfColumn(t *testing.T) {
	s := &stream{types: pgtype.NewMap()}
	rel := &relation{table: connectors.TableRef{Schema: "public", Name: "t"}, names: []string{"id", "note", "big"},
		oids: []uint32{pgtype.Int8OID, pgtype.TextOID, pgtype.TextOID}, keyCols: []bool{true, false, false},
		types: []connectors.Type{connectors.Scalar(connectors.KindInt), connectors.Scalar(connectors.KindString), connectors.Scalar(connectors.KindString)}}
	tuple := []byte{0, 3, 't', 0, 0, 0, 2, '4', '2', 'n', 'u'}
	c, err := s.tuple(rel, ChangeUpsert, tuple)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Values, []any{int64(42), nil, nil}) || !reflect.DeepEqual(c.Unchanged, []bool{false, false, true}) {
		t.Fatalf("values %v unchanged %v", c.Values, c.Unchanged)
	}
	if n, err := tupleLength(tuple); err != nil || n != len(tuple) {
		t.Fatalf("tuple length %d %v, want %d", n, err, len(tuple))
	}
	c, err = s.tuple(rel, ChangeDelete, tuple)
	if err != nil || c.Values[0] != int64(42) || !c.Unchanged[1] || !c.Unchanged[2] {
		t.Fatalf("a delete's columns outside its key: values %v unchanged %v (%v)", c.Values, c.Unchanged, err)
	}
	for cut := 1; cut < len(tuple); cut++ {
		if _, err := s.tuple(rel, ChangeUpsert, tuple[:cut]); err == nil {
			t.Errorf("a tuple cut at %d bytes decoded", cut)
		}
	}
}
