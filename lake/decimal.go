package lake

import (
	"database/sql/driver"
	"fmt"
	"math/big"
	"strconv"

	"github.com/sluice-dev/sluice/connectors"
)

// maxInt64Precision is the widest decimal DuckDB stores in an int64.
const maxInt64Precision = 18

// toUnscaled returns a converter to a decimal's unscaled int64 (12.5 at
// scale 2 is 1250), which DuckDB's appender writes straight into a DECIMAL
// vector of precision ≤ 18, without the per-value cgo call a string costs.
// Extra fractional digits round half away from zero, as DuckDB's cast does.
func toUnscaled(precision, scale int) func(any) (driver.Value, error) {
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(precision)), nil)
	pow := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil))
	return func(v any) (driver.Value, error) {
		var text string
		switch x := v.(type) {
		case nil:
			return nil, nil
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
			return nil, conversionError(v, fmt.Sprintf("decimal(%d,%d)", precision, scale))
		}
		if n, ok := fastUnscaled(text, precision, scale); ok {
			return n, nil
		}
		r, ok := new(big.Rat).SetString(text)
		if !ok {
			return nil, fmt.Errorf("%q is not a number", text)
		}
		r.Mul(r, pow)
		q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
		if m.Add(m, m).CmpAbs(r.Denom()) >= 0 { // |remainder| ≥ ½
			q.Add(q, big.NewInt(int64(r.Sign())))
		}
		if q.CmpAbs(limit) >= 0 {
			return nil, fmt.Errorf("%s does not fit in decimal(%d,%d)", text, precision, scale)
		}
		return q.Int64(), nil
	}
}

// fastUnscaled handles plain decimal text ("-12.50") that fits the
// precision with no more fractional digits than the scale.
func fastUnscaled(s string, precision, scale int) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
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
