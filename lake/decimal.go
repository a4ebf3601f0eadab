package lake

import (
	"database/sql/driver"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// maxInt64Precision is the widest decimal DuckDB stores in an int64.
const maxInt64Precision = 18

// toUnscaled returns a converter to a decimal's unscaled int64 (12.5 at
// scale 2 is 1250), which DuckDB's appender writes straight into a DECIMAL
// vector of precision ≤ 18, without the per-value cgo call a string costs.
// Extra fractional digits round half away from zero, as DuckDB's cast does.
func toUnscaled(precision, scale int) func(any) (driver.Value, error) {
	return unscaledConverter(precision, scale, func(n int64) driver.Value { return n },
		func(q *big.Int) driver.Value { return q.Int64() })
}

// toUnscaledWide returns a converter to a wide decimal's unscaled integer
// (an int64, or a *big.Int past it), which the appender writes straight
// into the HUGEINT of a DECIMAL(38, s) staging column. DuckDB 1.5 casts
// text to a DECIMAL wider than 18 digits about 200 times slower than to a
// HUGEINT (~50 µs a value), so the digits are scaled here and DuckDB only
// narrows the decimal.
func toUnscaledWide(precision, scale int) func(any) (driver.Value, error) {
	return unscaledConverter(precision, scale, func(n int64) driver.Value { return n },
		func(q *big.Int) driver.Value { return q })
}

// unscaledConverter returns a converter of values to a decimal's unscaled
// integer, in the form small (when it came from plain text of at most 18
// digits) or wide gives it.
func unscaledConverter(precision, scale int, small func(int64) driver.Value, wide func(*big.Int) driver.Value) func(any) (driver.Value, error) {
	d := newDecimalScaler(precision, scale)
	return func(v any) (driver.Value, error) {
		if v == nil {
			return nil, nil
		}
		n, q, err := d.unscaled(v)
		switch {
		case err != nil:
			return nil, err
		case q != nil:
			return wide(q), nil
		}
		return small(n), nil
	}
}

// decimalScaler reads values as decimals of one precision and scale.
type decimalScaler struct {
	precision, scale int
	limit            *big.Int // 10^precision
	pow              *big.Rat // 10^scale
}

func newDecimalScaler(precision, scale int) decimalScaler {
	return decimalScaler{precision: precision, scale: scale,
		limit: new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(precision)), nil),
		pow:   new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))}
}

// unscaled returns v's unscaled integer: n when plain text of at most 18
// digits had it, else wide.
func (d decimalScaler) unscaled(v any) (n int64, wide *big.Int, err error) {
	var text string
	switch x := v.(type) {
	case connectors.Decimal:
		text = string(x)
	case string:
		text = x
	case int64:
		text = strconv.FormatInt(x, 10)
	case int:
		text = strconv.Itoa(x)
	case float64:
		text = strconv.FormatFloat(x, 'g', -1, 64)
	default:
		return 0, nil, conversionError(v, fmt.Sprintf("decimal(%d,%d)", d.precision, d.scale))
	}
	if n, ok := connectors.ParseUnscaled(text, min(d.precision, maxInt64Precision), d.scale); ok {
		return n, nil, nil
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		if notFinite(text) {
			return 0, nil, notFiniteError(text)
		}
		return 0, nil, fmt.Errorf("%q is not a number", text)
	}
	r.Mul(r, d.pow)
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Add(m, m).CmpAbs(r.Denom()) >= 0 { // |remainder| ≥ ½
		q.Add(q, big.NewInt(int64(r.Sign())))
	}
	if q.CmpAbs(d.limit) >= 0 {
		return 0, nil, fmt.Errorf("%s does not fit in decimal(%d,%d)", text, d.precision, d.scale)
	}
	return 0, q, nil
}

// notFiniteError says a NaN or infinite decimal cannot reach the lake.
func notFiniteError(text string) error {
	return fmt.Errorf("%s cannot be stored: a lake decimal has no NaN or infinity; filter or cast the value at the source (a view)", text)
}

// notFinite tells NaN and the infinities, which Postgres numerics may hold.
func notFinite(text string) bool {
	switch strings.ToLower(strings.TrimLeft(text, "+-")) {
	case "nan", "infinity", "inf":
		return true
	}
	return false
}
