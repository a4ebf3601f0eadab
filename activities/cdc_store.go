package activities

import (
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// rowStore keeps a table's pending rows column by column. Integers, floats,
// text, bytes, timestamps, decimals of up to 18 digits and booleans are held
// unboxed: a buffer of a million changes then holds its values in a few
// slices rather than millions of interface values the collector must trace,
// and is staged through the lake writer's columnar path. A column whose
// values come in another form (an infinite timestamp, a decimal too wide)
// falls back to boxed values for the rest of the buffer.
type rowStore struct {
	cols []connectors.ColumnVector
	n    int
	// boxed is what the boxed values point to.
	boxed int64
}

func newRowStore(cols []connectors.Column) *rowStore {
	s := &rowStore{cols: make([]connectors.ColumnVector, len(cols))}
	for i, c := range cols {
		s.cols[i].Layout, s.cols[i].Scale = connectors.LayoutFor(c.Type), c.Type.Scale
	}
	return s
}

// reset empties the store, keeping its layouts and memory.
func (s *rowStore) reset() {
	b := connectors.ColumnBatch{Cols: s.cols}
	b.Reset()
	s.n, s.boxed = 0, 0
}

// memory is what the store's slices have allocated, which is up to twice
// what its values take as they grow by doubling.
func (s *rowStore) memory() int64 {
	m := s.boxed
	for i := range s.cols {
		v := &s.cols[i]
		m += int64(cap(v.Nulls) + cap(v.Bools) + cap(v.Data) + 8*(cap(v.Ints)+cap(v.Ends)+cap(v.Floats)) + 16*cap(v.Values))
	}
	return m
}

// value returns column c of row r in ResultSet's form.
func (s *rowStore) value(c, r int) any { return s.cols[c].Value(r) }

// appendValue appends x, a value in ResultSet's form, to v, which falls back
// to boxed values when x has another form than its layout holds. It returns
// the bytes a boxed value points to.
func appendValue(v *connectors.ColumnVector, x any) int64 {
	if x == nil {
		v.AppendNull()
		return 0
	}
	if appendTyped(v, x) {
		v.Nulls = append(v.Nulls, false)
		return 0
	}
	if v.Layout != connectors.LayoutValues {
		v.Demote(len(v.Nulls))
	}
	v.AppendValue(x)
	return valueBytes(x)
}

// appendTyped appends x to a typed layout that holds its form, reporting
// false (having appended nothing) when none does.
func appendTyped(v *connectors.ColumnVector, x any) bool {
	switch v.Layout {
	case connectors.LayoutInt64:
		return appendAs(&v.Ints, x)
	case connectors.LayoutFloat64:
		return appendAs(&v.Floats, x)
	case connectors.LayoutBool:
		return appendAs(&v.Bools, x)
	case connectors.LayoutText:
		str, ok := x.(string)
		if ok {
			v.Data = append(v.Data, str...)
			v.Ends = append(v.Ends, len(v.Data))
		}
		return ok
	case connectors.LayoutBytes:
		b, ok := x.([]byte)
		if ok {
			v.Data = append(v.Data, b...)
			v.Ends = append(v.Ends, len(v.Data))
		}
		return ok
	case connectors.LayoutMicros:
		at, ok := x.(time.Time)
		ok = ok && at.Nanosecond()%1000 == 0
		if ok {
			v.Ints = append(v.Ints, at.UnixMicro())
		}
		return ok
	case connectors.LayoutDecimal:
		d, ok := x.(connectors.Decimal)
		if !ok {
			return false
		}
		n, ok := connectors.ParseUnscaled(string(d), connectors.MaxUnscaledDigits, v.Scale)
		if ok {
			v.Ints = append(v.Ints, n)
		}
		return ok
	}
	return false
}

// appendAs appends x to dst when it is a T.
func appendAs[T any](dst *[]T, x any) bool {
	t, ok := x.(T)
	if ok {
		*dst = append(*dst, t)
	}
	return ok
}

// appendFrom appends row r of src to dst; both have the same layout unless
// one fell back to boxed values. It returns what appendValue does.
func appendFrom(dst, src *connectors.ColumnVector, r int) int64 {
	if dst.Layout != src.Layout || src.Layout == connectors.LayoutValues {
		return appendValue(dst, src.Value(r))
	}
	switch {
	case src.Nulls[r]:
		dst.AppendNull()
		return 0
	case src.Layout.Textual():
		dst.Data = append(dst.Data, src.Bytes(r)...)
		dst.Ends = append(dst.Ends, len(dst.Data))
	case src.Layout == connectors.LayoutBool:
		dst.Bools = append(dst.Bools, src.Bools[r])
	case src.Layout == connectors.LayoutFloat64:
		dst.Floats = append(dst.Floats, src.Floats[r])
	default:
		dst.Ints = append(dst.Ints, src.Ints[r])
	}
	dst.Nulls = append(dst.Nulls, false)
	return 0
}

// resetBatch empties a batch whose columns take the store's layouts again
// (a column that fell back to boxed values in one batch need not in the
// next), plus extra boxed columns.
func (s *rowStore) resetBatch(b *connectors.ColumnBatch, extra int) {
	if len(b.Cols) != len(s.cols)+extra {
		b.Cols = make([]connectors.ColumnVector, len(s.cols)+extra)
	}
	b.Reset()
	for i := range b.Cols {
		layout, scale := connectors.LayoutValues, 0
		if i < len(s.cols) {
			layout, scale = s.cols[i].Layout, s.cols[i].Scale
		}
		if b.Cols[i].Layout != layout {
			b.Cols[i] = connectors.ColumnVector{Layout: layout}
		}
		b.Cols[i].Scale = scale
	}
}
