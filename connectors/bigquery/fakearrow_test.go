package bigquery

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"time"

	"cloud.google.com/go/civil"
	"github.com/apache/arrow-go/v18/arrow"
	arrowarray "github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
)

// arrowSchema is the Arrow schema the Storage Read API documents for a
// table's fields: INT64 int64, FLOAT64 float64, BOOL bool, STRING, JSON and
// GEOGRAPHY utf8 (the latter two marked by an extension name), BYTES
// binary, NUMERIC decimal128(38, 9), BIGNUMERIC decimal256(76, 38), DATE
// date32, TIME time64[us], DATETIME timestamp[us] without a zone, TIMESTAMP
// timestamp[us, UTC], RECORD struct, and REPEATED a list.
func arrowSchema(fields []map[string]any) *arrow.Schema {
	out := make([]arrow.Field, len(fields))
	for i, f := range fields {
		out[i] = arrowField(f)
	}
	return arrow.NewSchema(out, nil)
}

func arrowField(f map[string]any) arrow.Field {
	field := arrow.Field{Name: f["name"].(string), Type: arrowType(f), Nullable: f["mode"] != "REQUIRED"}
	switch f["type"] {
	case "JSON":
		field.Metadata = arrow.NewMetadata([]string{"ARROW:extension:name"}, []string{"google:sqlType:json"})
	case "GEOGRAPHY":
		field.Metadata = arrow.NewMetadata([]string{"ARROW:extension:name"}, []string{"google:sqlType:geography"})
	}
	if f["mode"] == "REPEATED" {
		elem := field
		elem.Name, elem.Nullable = "item", false
		field.Type, field.Nullable = arrow.ListOfField(elem), false
	}
	return field
}

func arrowType(f map[string]any) arrow.DataType {
	switch f["type"] {
	case "INTEGER", "INT64":
		return arrow.PrimitiveTypes.Int64
	case "FLOAT", "FLOAT64":
		return arrow.PrimitiveTypes.Float64
	case "BOOLEAN", "BOOL":
		return arrow.FixedWidthTypes.Boolean
	case "BYTES":
		return arrow.BinaryTypes.Binary
	case "NUMERIC":
		return &arrow.Decimal128Type{Precision: 38, Scale: 9}
	case "BIGNUMERIC":
		return &arrow.Decimal256Type{Precision: 76, Scale: 38}
	case "DATE":
		return arrow.FixedWidthTypes.Date32
	case "TIME":
		return arrow.FixedWidthTypes.Time64us
	case "DATETIME":
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case "TIMESTAMP":
		return arrow.FixedWidthTypes.Timestamp_us
	case "RECORD", "STRUCT":
		var subs []arrow.Field
		for _, sub := range f["fields"].([]any) {
			subs = append(subs, arrowField(sub.(map[string]any)))
		}
		return arrow.StructOf(subs...)
	}
	return arrow.BinaryTypes.String // STRING, JSON, GEOGRAPHY
}

// appendCell appends a wire-format cell (as jobs.getQueryResults renders
// it, TIMESTAMP as int64 microseconds) to the builder of field f.
func appendCell(b arrowarray.Builder, f map[string]any, cell any) error {
	if cell == nil {
		b.AppendNull()
		return nil
	}
	if f["mode"] == "REPEATED" {
		lb := b.(*arrowarray.ListBuilder)
		lb.Append(true)
		elem := map[string]any{"name": f["name"], "type": f["type"], "fields": f["fields"], "mode": "REQUIRED"}
		for _, c := range cell.([]any) {
			if err := appendCell(lb.ValueBuilder(), elem, c.(map[string]any)["v"]); err != nil {
				return err
			}
		}
		return nil
	}
	if sb, ok := b.(*arrowarray.StructBuilder); ok {
		sb.Append(true)
		subs, cells := f["fields"].([]any), cell.(map[string]any)["f"].([]any)
		for j, sub := range subs {
			if err := appendCell(sb.FieldBuilder(j), sub.(map[string]any), cells[j].(map[string]any)["v"]); err != nil {
				return err
			}
		}
		return nil
	}
	s := cell.(string)
	var err error
	switch b := b.(type) {
	case *arrowarray.Int64Builder:
		var n int64
		n, err = strconv.ParseInt(s, 10, 64)
		b.Append(n)
	case *arrowarray.Float64Builder:
		var x float64
		x, err = strconv.ParseFloat(s, 64)
		b.Append(x)
	case *arrowarray.BooleanBuilder:
		b.Append(s == "true")
	case *arrowarray.StringBuilder:
		b.Append(s)
	case *arrowarray.BinaryBuilder:
		var raw []byte
		raw, err = base64.StdEncoding.DecodeString(s)
		b.Append(raw)
	case *arrowarray.Decimal128Builder:
		var n decimal128.Num
		n, err = decimal128.FromString(s, 38, 9)
		b.Append(n)
	case *arrowarray.Decimal256Builder:
		var n decimal256.Num
		n, err = decimal256.FromString(s, 76, 38)
		b.Append(n)
	case *arrowarray.Date32Builder:
		var d civil.Date
		d, err = civil.ParseDate(s)
		b.Append(arrow.Date32FromTime(d.In(time.UTC)))
	case *arrowarray.Time64Builder:
		var t civil.Time
		t, err = civil.ParseTime(s)
		b.Append(arrow.Time64((time.Duration(t.Hour)*time.Hour + time.Duration(t.Minute)*time.Minute +
			time.Duration(t.Second)*time.Second + time.Duration(t.Nanosecond)) / time.Microsecond))
	case *arrowarray.TimestampBuilder:
		if f["type"] == "DATETIME" {
			var dt civil.DateTime
			dt, err = civil.ParseDateTime(s)
			b.Append(arrow.Timestamp(dt.In(time.UTC).UnixMicro()))
		} else {
			var us int64
			us, err = strconv.ParseInt(s, 10, 64)
			b.Append(arrow.Timestamp(us))
		}
	default:
		return fmt.Errorf("no Arrow builder for %T", b)
	}
	return err
}
