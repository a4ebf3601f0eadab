package mysql

import (
	"database/sql/driver"
	"math"
	"slices"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// batcher puts the driver's values into column batches, hands full ones to
// the sink through the pipe, and remembers the OrderBy key of the last row
// and the greatest cursor value. Common types go into typed columns; a
// value a column's layout cannot hold turns that batch's column into
// values, converted by normalize as every other type is.
type batcher struct {
	connectors.BatchFiller
	types []connectors.Type
}

// newBatcher batches a chunk's rows. Only a sink that takes columns gets
// typed ones: a sink of rows gets every value as normalize has it, as it
// always did (a typed column's rows would have the documented forms, which
// are not always the driver's: a tinyint(1) as a bool, an unsigned as int64).
func newBatcher(req connectors.ReadRequest, typed bool, pipe *connectors.BatchPipe, stats *connectors.ReadStats) *batcher {
	b := &batcher{BatchFiller: connectors.BatchFiller{Pipe: pipe, Stats: stats, Size: req.BatchSize}}
	for _, col := range req.Columns {
		layout := connectors.LayoutValues
		if typed {
			layout = connectors.LayoutFor(col.Type)
		}
		b.types = append(b.types, col.Type)
		b.Layouts = append(b.Layouts, layout)
		b.Scales = append(b.Scales, col.Type.Scale)
	}
	for _, k := range req.OrderBy {
		b.KeyIdx = append(b.KeyIdx, slices.IndexFunc(req.Columns, func(c connectors.Column) bool { return c.Name == k }))
	}
	b.Cursor = slices.IndexFunc(req.Columns, func(c connectors.Column) bool { return c.Name == req.CursorField })
	return b
}

// add appends one row of driver values, which may alias the driver's buffer:
// everything kept is copied.
func (b *batcher) add(vals []driver.Value) error {
	if err := b.Row(); err != nil {
		return err
	}
	for i, x := range vals {
		v := &b.Cur.Cols[i]
		if x == nil {
			v.AppendNull()
			continue
		}
		if raw, ok := x.([]byte); ok {
			b.Stats.Bytes += int64(len(raw))
			b.Bytes += len(raw)
		} else {
			b.Bytes += 8
		}
		if v.Layout != connectors.LayoutValues {
			if appendTyped(v, x) {
				continue
			}
			v.Demote(b.Cur.Len)
		}
		v.AppendValue(normalize(x, b.types[i]))
	}
	b.EndRow()
	return nil
}

// appendTyped appends a non-NULL driver value to a typed vector as normalize
// and the lake's conversions would have it, or reports false, appending
// nothing, when the layout cannot hold it.
func appendTyped(v *connectors.ColumnVector, x driver.Value) bool {
	switch v.Layout {
	case connectors.LayoutInt64:
		switch n := x.(type) {
		case int64:
			v.Ints = append(v.Ints, n)
		case uint64: // BIGINT UNSIGNED
			if n > math.MaxInt64 {
				return false
			}
			v.Ints = append(v.Ints, int64(n))
		default:
			return false
		}
	case connectors.LayoutFloat64:
		switch f := x.(type) {
		case float64:
			v.Floats = append(v.Floats, f)
		case float32:
			v.Floats = append(v.Floats, float64(f))
		default:
			return false
		}
	case connectors.LayoutBool:
		n, ok := x.(int64) // BOOLEAN is tinyint(1); a BIT(1) comes as bytes
		if !ok {
			return false
		}
		v.Bools = append(v.Bools, n != 0)
	case connectors.LayoutMicros:
		t, ok := x.(time.Time)
		if !ok {
			return false
		}
		if t.IsZero() { // MySQL's zero date, as normalize has it
			v.AppendNull()
			return true
		}
		v.Ints = append(v.Ints, t.UnixMicro())
	case connectors.LayoutDecimal:
		raw, ok := x.([]byte)
		if !ok {
			return false
		}
		n, ok := connectors.ParseUnscaled(raw, connectors.MaxUnscaledDigits, v.Scale)
		if !ok {
			return false
		}
		v.Ints = append(v.Ints, n)
	case connectors.LayoutText, connectors.LayoutBytes:
		raw, ok := x.([]byte)
		if !ok {
			return false
		}
		v.Data = append(v.Data, raw...)
		v.Ends = append(v.Ends, len(v.Data))
	default:
		return false
	}
	v.Nulls = append(v.Nulls, false)
	return true
}
