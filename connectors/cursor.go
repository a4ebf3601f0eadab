package connectors

import (
	"math/big"
	"time"
)

// CursorGreater reports whether cursor value a is past b (nil b: always).
// Both are sluice-normalized values of the same column.
func CursorGreater(a, b any) bool {
	if b == nil {
		return true
	}
	switch x := a.(type) {
	case int64:
		y, ok := b.(int64)
		return ok && x > y
	case float64:
		y, ok := b.(float64)
		return ok && x > y
	case string:
		y, ok := b.(string)
		return ok && x > y
	case Date:
		y, ok := b.(Date)
		return ok && x > y
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.After(y)
	case Decimal:
		y, ok := b.(Decimal)
		xr, okx := new(big.Rat).SetString(string(x))
		yr, oky := new(big.Rat).SetString(string(y))
		return ok && okx && oky && xr.Cmp(yr) > 0
	}
	return false
}
