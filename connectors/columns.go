package connectors

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"time"
)

// ColumnSink is a RowSink that also takes rows column by column, so a reader
// that decodes values into typed columns hands them over without boxing each
// one in an interface. A batch is only valid during the call.
type ColumnSink interface {
	RowSink
	WriteColumns(ctx context.Context, b *ColumnBatch) error
}

// Layout says which of a ColumnVector's slices holds its values.
type Layout uint8

const (
	// LayoutValues keeps values in Values, in ResultSet's forms.
	LayoutValues Layout = iota
	// LayoutInt64 keeps integers in Ints.
	LayoutInt64
	// LayoutFloat64 keeps floats in Floats.
	LayoutFloat64
	// LayoutBool keeps booleans in Bools.
	LayoutBool
	// LayoutText keeps UTF-8 strings in Data, row i ending at Ends[i].
	LayoutText
	// LayoutBytes keeps byte strings in Data, row i ending at Ends[i].
	LayoutBytes
	// LayoutDecimal keeps decimals in Ints, unscaled by Scale (12.50 at
	// scale 2 is 1250).
	LayoutDecimal
	// LayoutMicros keeps timestamps in Ints as microseconds since
	// 1970-01-01 00:00 UTC (for a timestamp without time zone, as if UTC).
	LayoutMicros
	// LayoutJSON keeps JSON documents' text in Data, as LayoutText does.
	LayoutJSON
	// LayoutDate keeps dates as YYYY-MM-DD text in Data, as LayoutText does.
	LayoutDate
)

// Textual reports whether the layout keeps its values in Data and Ends.
func (l Layout) Textual() bool {
	switch l {
	case LayoutText, LayoutBytes, LayoutJSON, LayoutDate:
		return true
	}
	return false
}

// ColumnBatch is Len rows held column by column.
type ColumnBatch struct {
	Len  int
	Cols []ColumnVector
}

// ColumnVector is one column of a batch. Nulls[i] is true for a NULL, whose
// slot in the other slice holds a zero value.
type ColumnVector struct {
	Layout Layout
	Scale  int
	Nulls  []bool
	Ints   []int64
	Floats []float64
	Bools  []bool
	Data   []byte
	Ends   []int
	Values []any
}

// Reset empties the batch, keeping its columns' layouts and memory.
func (b *ColumnBatch) Reset() {
	b.Len = 0
	for i := range b.Cols {
		c := &b.Cols[i]
		c.Nulls, c.Ints, c.Floats, c.Bools = c.Nulls[:0], c.Ints[:0], c.Floats[:0], c.Bools[:0]
		c.Data, c.Ends, c.Values = c.Data[:0], c.Ends[:0], c.Values[:0]
	}
}

// Rows returns the batch as rows of values in ResultSet's forms, for sinks
// that take rows only.
func (b *ColumnBatch) Rows() [][]any {
	flat := make([]any, b.Len*len(b.Cols))
	rows := make([][]any, b.Len)
	for r := range rows {
		rows[r] = flat[r*len(b.Cols) : (r+1)*len(b.Cols) : (r+1)*len(b.Cols)]
		for c := range b.Cols {
			rows[r][c] = b.Cols[c].Value(r)
		}
	}
	return rows
}

// Bytes returns row i of a text or bytes column; it aliases the batch.
func (v *ColumnVector) Bytes(i int) []byte {
	start := 0
	if i > 0 {
		start = v.Ends[i-1]
	}
	return v.Data[start:v.Ends[i]]
}

// Value returns row i in ResultSet's form, copied out of the batch.
func (v *ColumnVector) Value(i int) any {
	if v.Layout != LayoutValues && v.Nulls[i] {
		return nil
	}
	switch v.Layout {
	case LayoutInt64:
		return v.Ints[i]
	case LayoutFloat64:
		return v.Floats[i]
	case LayoutBool:
		return v.Bools[i]
	case LayoutText:
		return string(v.Bytes(i))
	case LayoutBytes:
		return bytes.Clone(v.Bytes(i))
	case LayoutDecimal:
		return Decimal(FormatUnscaled(v.Ints[i], v.Scale))
	case LayoutMicros:
		return time.UnixMicro(v.Ints[i]).UTC()
	case LayoutJSON:
		return JSON(v.Bytes(i))
	case LayoutDate:
		return Date(v.Bytes(i))
	}
	return v.Values[i]
}

// MaxIndex returns the row of the column's greatest value in CursorGreater's
// order, or -1 when every row is NULL.
func (v *ColumnVector) MaxIndex(n int) int {
	best := -1
	for i := 0; i < n; i++ {
		if v.Layout == LayoutValues {
			if v.Values[i] != nil && (best < 0 || CursorGreater(v.Values[i], v.Values[best])) {
				best = i
			}
			continue
		}
		if v.Nulls[i] {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		switch v.Layout {
		case LayoutInt64, LayoutDecimal, LayoutMicros:
			if v.Ints[i] > v.Ints[best] {
				best = i
			}
		case LayoutFloat64:
			if v.Floats[i] > v.Floats[best] {
				best = i
			}
		case LayoutText, LayoutDate: // dates as YYYY-MM-DD sort as they read
			if bytes.Compare(v.Bytes(i), v.Bytes(best)) > 0 {
				best = i
			}
		}
	}
	return best
}

// KeyOf returns the values of the columns at keyIdx in row r.
func (b *ColumnBatch) KeyOf(r int, keyIdx []int) []any {
	key := make([]any, len(keyIdx))
	for i, k := range keyIdx {
		key[i] = b.Cols[k].Value(r)
	}
	return key
}

// GreatestOf returns the greater of max and column col's greatest value
// (as CursorGreater orders them).
func (b *ColumnBatch) GreatestOf(col int, max any) any {
	c := &b.Cols[col]
	if r := c.MaxIndex(b.Len); r >= 0 {
		if v := c.Value(r); CursorGreater(v, max) {
			return v
		}
	}
	return max
}

// ParseUnscaled reads plain decimal text ("-12.50") as an integer unscaled
// by scale (-1250 at scale 2). It reports false for text that is no plain
// decimal, has more fractional digits than scale, or more significant
// digits than precision (at most 18, so the result fits an int64).
func ParseUnscaled[T string | []byte](s T, precision, scale int) (int64, bool) {
	neg := false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n int64
	digits, frac, dot := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !dot:
			dot = true
		case c >= '0' && c <= '9':
			if dot {
				frac++
			}
			if digits > 0 || c != '0' {
				digits++
			}
			n = n*10 + int64(c-'0')
		default:
			return 0, false
		}
		if digits+scale-frac > precision || frac > scale {
			return 0, false
		}
	}
	if len(s) == 0 || (dot && len(s) == 1) {
		return 0, false
	}
	for ; frac < scale; frac++ {
		n *= 10
	}
	if neg {
		n = -n
	}
	return n, true
}

// FormatUnscaled renders an unscaled decimal as text: 1250 at scale 2 is "12.50".
func FormatUnscaled(n int64, scale int) string {
	if scale <= 0 {
		return strconv.FormatInt(n, 10)
	}
	neg := n < 0
	digits := strconv.FormatUint(absUint(n), 10)
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	out := digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	if neg {
		return "-" + out
	}
	return out
}

func absUint(n int64) uint64 {
	if n < 0 {
		return uint64(-(n + 1)) + 1
	}
	return uint64(n)
}
