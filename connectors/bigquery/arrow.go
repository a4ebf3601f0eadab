package bigquery

import (
	"bytes"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	bq "cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"
	"github.com/apache/arrow-go/v18/arrow"
	arrowarray "github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// arrowDecoder turns the Arrow record batches of a Storage Read API stream
// into rows of the read's columns. BigQuery sends a read session's schema
// once, as an IPC schema message, and every batch as an IPC record batch
// message without it, so each batch is decoded behind the schema's bytes.
//
// Values are decoded into what the REST client decodes the same types into
// (civil dates, *big.Rat decimals, []bq.Value records and arrays…) and then
// normalized by the same code, so both paths hand a sink identical values.
// The Arrow types are the ones BigQuery documents for each column type
// (https://cloud.google.com/bigquery/docs/reference/storage#arrow_schema_details).
type arrowDecoder struct {
	schema []byte
	// pos maps an Arrow field to its position among the read's columns: the
	// session orders fields as the table does, not as they were selected.
	pos    []int
	fields []*bq.FieldSchema // by Arrow field
	width  int
}

// newArrowDecoder reads the session's serialized schema and matches its
// fields by name to the columns read, whose BigQuery schemas are fields.
func newArrowDecoder(serialized []byte, columns []string, fields bq.Schema) (*arrowDecoder, error) {
	r, err := ipc.NewReader(bytes.NewReader(serialized))
	if err != nil {
		return nil, fmt.Errorf("decode the read session's Arrow schema: %w", err)
	}
	defer r.Release()
	byName := make(map[string]*bq.FieldSchema, len(fields))
	for _, f := range fields {
		byName[f.Name] = f
	}
	d := &arrowDecoder{schema: serialized, width: len(columns)}
	seen := make([]bool, len(columns))
	for _, af := range r.Schema().Fields() {
		i := indexOf(columns, af.Name)
		if i < 0 || byName[af.Name] == nil {
			return nil, fmt.Errorf("the read session returns column %q, which was not asked for", af.Name)
		}
		seen[i] = true
		d.pos = append(d.pos, i)
		d.fields = append(d.fields, byName[af.Name])
	}
	for i, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("the read session lacks column %q", columns[i])
		}
	}
	return d, nil
}

// decode hands fn every row of one serialized record batch, normalized.
func (d *arrowDecoder) decode(batch []byte, fn func(row []any) error) error {
	r, err := ipc.NewReader(io.MultiReader(bytes.NewReader(d.schema), bytes.NewReader(batch)))
	if err != nil {
		return fmt.Errorf("decode an Arrow record batch: %w", err)
	}
	defer r.Release()
	for r.Next() {
		rec := r.RecordBatch()
		cols := rec.Columns()
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]any, d.width)
			for j, col := range cols {
				v, err := arrowValue(col, i, d.fields[j])
				if err != nil {
					return fmt.Errorf("decode column %s: %w", d.fields[j].Name, err)
				}
				row[d.pos[j]] = normalize(v, d.fields[j])
			}
			if err := fn(row); err != nil {
				return err
			}
		}
	}
	if err := r.Err(); err != nil && err != io.EOF {
		return fmt.Errorf("decode an Arrow record batch: %w", err)
	}
	return nil
}

// arrowValue decodes the value at row i of col, a column of field f, as
// the REST client would have decoded it. Text and bytes are copied out of
// the batch's buffers so rows do not pin the whole batch in memory.
func arrowValue(col arrow.Array, i int, f *bq.FieldSchema) (bq.Value, error) {
	if col.IsNull(i) {
		return nil, nil
	}
	switch c := col.(type) {
	case *arrowarray.Boolean:
		return c.Value(i), nil
	case *arrowarray.Int64:
		return c.Value(i), nil
	case *arrowarray.Float64:
		return c.Value(i), nil
	case *arrowarray.String:
		return textValue(strings.Clone(c.Value(i)), f)
	case *arrowarray.Binary:
		return append([]byte{}, c.Value(i)...), nil // empty, not nil: NULL was handled above
	case *arrowarray.Date32:
		return civil.DateOf(c.Value(i).ToTime()), nil
	case *arrowarray.Timestamp:
		unit := c.DataType().(*arrow.TimestampType)
		t := c.Value(i).ToTime(unit.Unit)
		if unit.TimeZone == "" { // DATETIME: a wall time
			return civil.DateTimeOf(t), nil
		}
		return t.UTC(), nil
	case *arrowarray.Time64:
		return civil.TimeOf(c.Value(i).ToTime(c.DataType().(*arrow.Time64Type).Unit)), nil
	case *arrowarray.Decimal128:
		scale := c.DataType().(*arrow.Decimal128Type).Scale
		return ratOf(c.Value(i).ToString(scale))
	case *arrowarray.Decimal256:
		scale := c.DataType().(*arrow.Decimal256Type).Scale
		return ratOf(c.Value(i).ToString(scale))
	case *arrowarray.MonthDayNanoInterval:
		v := c.Value(i)
		iv := bq.IntervalValueFromDuration(time.Duration(v.Nanoseconds))
		iv.Months, iv.Days = v.Months, v.Days
		return iv.Canonicalize(), nil
	case *arrowarray.List:
		start, end := c.ValueOffsets(i)
		elems := arrowarray.NewSlice(c.ListValues(), start, end)
		defer elems.Release()
		elem := *f
		elem.Repeated = false
		out := make([]bq.Value, elems.Len())
		for j := range out {
			v, err := arrowValue(elems, j, &elem)
			if err != nil {
				return nil, err
			}
			out[j] = v
		}
		return out, nil
	case *arrowarray.Struct:
		return structValue(c, i, f)
	}
	return nil, fmt.Errorf("BigQuery sent Arrow type %s, which sluice does not decode", col.DataType())
}

// structValue decodes a STRUCT as the field values in schema order, and a
// RANGE (a struct of start and end) as a range value.
func structValue(c *arrowarray.Struct, i int, f *bq.FieldSchema) (bq.Value, error) {
	if f.Type == bq.RangeFieldType {
		elem := &bq.FieldSchema{Type: bq.DateFieldType}
		if f.RangeElementType != nil {
			elem.Type = f.RangeElementType.Type
		}
		start, err := arrowValue(c.Field(0), i, elem)
		if err != nil {
			return nil, err
		}
		end, err := arrowValue(c.Field(1), i, elem)
		return &bq.RangeValue{Start: start, End: end}, err
	}
	if c.NumField() != len(f.Schema) {
		return nil, fmt.Errorf("a STRUCT with %d fields for a schema of %d", c.NumField(), len(f.Schema))
	}
	out := make([]bq.Value, c.NumField())
	for j := range out {
		v, err := arrowValue(c.Field(j), i, f.Schema[j])
		if err != nil {
			return nil, err
		}
		out[j] = v
	}
	return out, nil
}

// textValue decodes a UTF-8 column: most types travel as text (STRING,
// JSON, GEOGRAPHY); an INTERVAL is parsed as the REST client parses it.
func textValue(s string, f *bq.FieldSchema) (bq.Value, error) {
	if f.Type == bq.IntervalFieldType {
		iv, err := bq.ParseInterval(s)
		if err != nil {
			return nil, fmt.Errorf("interval %q: %w", s, err)
		}
		return iv, nil
	}
	return s, nil
}

func ratOf(text string) (bq.Value, error) {
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return nil, fmt.Errorf("%q is not a decimal", text)
	}
	return r, nil
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
