package connectors

// MaxUnscaledDigits is the most digits of a decimal that LayoutDecimal holds:
// an unscaled int64.
const MaxUnscaledDigits = 18

// LayoutFor is the typed layout a column of type t holds its values in,
// LayoutValues for the types without one.
func LayoutFor(t Type) Layout {
	switch t.Kind {
	case KindInt:
		return LayoutInt64
	case KindFloat:
		return LayoutFloat64
	case KindBool:
		return LayoutBool
	case KindString:
		return LayoutText
	case KindBytes:
		return LayoutBytes
	case KindTimestamp, KindTimestampTZ:
		return LayoutMicros
	case KindDecimal:
		if t.Precision > 0 && t.Precision <= MaxUnscaledDigits {
			return LayoutDecimal
		}
	}
	return LayoutValues
}

// AppendNull appends a NULL to a vector of any layout.
func (v *ColumnVector) AppendNull() {
	v.Nulls = append(v.Nulls, true)
	switch v.Layout {
	case LayoutInt64, LayoutDecimal, LayoutMicros:
		v.Ints = append(v.Ints, 0)
	case LayoutFloat64:
		v.Floats = append(v.Floats, 0)
	case LayoutBool:
		v.Bools = append(v.Bools, false)
	default:
		if v.Layout.Textual() {
			v.Ends = append(v.Ends, len(v.Data))
		} else {
			v.Values = append(v.Values, nil)
		}
	}
}

// AppendValue appends a value in ResultSet's form to a LayoutValues vector.
func (v *ColumnVector) AppendValue(x any) {
	v.Values = append(v.Values, x)
	v.Nulls = append(v.Nulls, x == nil)
}

// Demote turns a typed vector's first n rows into values (LayoutValues), for
// a batch that meets a value its layout cannot hold.
func (v *ColumnVector) Demote(n int) {
	vals := v.Values[:0]
	for r := 0; r < n; r++ {
		vals = append(vals, v.Value(r))
	}
	v.Layout, v.Values = LayoutValues, vals
	v.Ints, v.Floats, v.Bools, v.Data, v.Ends = v.Ints[:0], v.Floats[:0], v.Bools[:0], v.Data[:0], v.Ends[:0]
}
