package bigquery

import (
	"fmt"
	"strings"

	bq "cloud.google.com/go/bigquery"

	"github.com/sluice-dev/sluice/connectors"
)

// typeOf maps a BigQuery field to a sluice type: a REPEATED field is an
// array of its element type, and a RECORD (STRUCT) is a JSON object.
func typeOf(f *bq.FieldSchema) connectors.Type {
	if f.Repeated {
		return connectors.ArrayOf(scalarType(f))
	}
	return scalarType(f)
}

func scalarType(f *bq.FieldSchema) connectors.Type {
	switch f.Type {
	case bq.StringFieldType, bq.GeographyFieldType:
		return connectors.Scalar(connectors.KindString)
	case bq.BytesFieldType:
		return connectors.Scalar(connectors.KindBytes)
	case bq.IntegerFieldType:
		return connectors.Scalar(connectors.KindInt)
	case bq.FloatFieldType:
		return connectors.Scalar(connectors.KindFloat)
	case bq.BooleanFieldType:
		return connectors.Scalar(connectors.KindBool)
	case bq.NumericFieldType:
		// Unparameterized NUMERIC is NUMERIC(38, 9).
		if f.Precision > 0 {
			return connectors.DecimalType(int(f.Precision), int(f.Scale))
		}
		return connectors.DecimalType(38, 9)
	case bq.BigNumericFieldType:
		// Unparameterized BIGNUMERIC holds 76.76 digits with scale 38; sluice
		// declares the 76 whole digits it can always hold.
		if f.Precision > 0 {
			return connectors.DecimalType(int(f.Precision), int(f.Scale))
		}
		return connectors.DecimalType(76, 38)
	case bq.TimestampFieldType:
		return connectors.Scalar(connectors.KindTimestampTZ)
	case bq.DateTimeFieldType:
		return connectors.Scalar(connectors.KindTimestamp)
	case bq.DateFieldType:
		return connectors.Scalar(connectors.KindDate)
	case bq.TimeFieldType:
		return connectors.Scalar(connectors.KindTime)
	case bq.IntervalFieldType:
		return connectors.Scalar(connectors.KindInterval)
	case bq.RecordFieldType, bq.JSONFieldType, bq.RangeFieldType:
		return connectors.Scalar(connectors.KindJSON)
	}
	return connectors.Scalar(connectors.KindUnknown)
}

// standardNames are the GoogleSQL names of the types the REST API reports
// by their legacy names.
var standardNames = map[bq.FieldType]string{
	bq.IntegerFieldType: "INT64",
	bq.FloatFieldType:   "FLOAT64",
	bq.BooleanFieldType: "BOOL",
	bq.RecordFieldType:  "STRUCT",
}

// sourceType renders a field's type as GoogleSQL declares it, e.g.
// "NUMERIC(10, 2)", "ARRAY<INT64>", "STRUCT<a STRING, b ARRAY<DATE>>".
func sourceType(f *bq.FieldSchema) string {
	name := string(f.Type)
	if std, ok := standardNames[f.Type]; ok {
		name = std
	}
	switch {
	case f.Type == bq.RecordFieldType:
		parts := make([]string, len(f.Schema))
		for i, sub := range f.Schema {
			parts[i] = sub.Name + " " + sourceType(sub)
		}
		name = "STRUCT<" + strings.Join(parts, ", ") + ">"
	case f.Type == bq.RangeFieldType && f.RangeElementType != nil:
		name = "RANGE<" + string(f.RangeElementType.Type) + ">"
	case f.Precision > 0 && f.Scale > 0:
		name = fmt.Sprintf("%s(%d, %d)", name, f.Precision, f.Scale)
	case f.Precision > 0:
		name = fmt.Sprintf("%s(%d)", name, f.Precision)
	case f.MaxLength > 0:
		name = fmt.Sprintf("%s(%d)", name, f.MaxLength)
	}
	if f.Repeated {
		return "ARRAY<" + name + ">"
	}
	return name
}

// columnsOf describes a schema's top-level fields as columns.
func columnsOf(schema bq.Schema, primaryKey []string) []connectors.Column {
	pk := map[string]bool{}
	for _, name := range primaryKey {
		pk[name] = true
	}
	out := make([]connectors.Column, len(schema))
	for i, f := range schema {
		out[i] = connectors.Column{
			Name:       f.Name,
			SourceType: sourceType(f),
			Type:       typeOf(f),
			// A REPEATED field is an empty array, never NULL.
			Nullable:   !f.Required && !f.Repeated,
			PrimaryKey: pk[f.Name],
			Ordinal:    i + 1,
			Comment:    f.Description,
		}
	}
	return out
}

// resultColumns describes a query result's schema.
func resultColumns(schema bq.Schema) []connectors.ResultColumn {
	out := make([]connectors.ResultColumn, len(schema))
	for i, f := range schema {
		out[i] = connectors.ResultColumn{Name: f.Name, Type: typeOf(f), SourceType: sourceType(f)}
	}
	return out
}
