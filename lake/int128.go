package lake

import (
	"math/big"
	"math/bits"
)

// A DECIMAL(38, s) staging column holds its unscaled values as DuckDB
// hugeints: a signed 128-bit integer, given here as its upper (signed) and
// lower halves.

// int128Of is x as a hugeint.
func int128Of(x int64) (upper int64, lower uint64) {
	return x >> 63, uint64(x) //nolint:gosec // the two's complement bits, on purpose
}

// bigInt128 is q as a hugeint; it reports false when q needs more than 127
// bits (past any DECIMAL(38)).
func bigInt128(q *big.Int) (upper int64, lower uint64, ok bool) {
	if q.BitLen() > 127 {
		return 0, 0, false
	}
	words := q.Bits() // |q|, least significant first
	var hi, lo uint64
	if len(words) > 0 {
		lo = uint64(words[0])
	}
	if len(words) > 1 {
		hi = uint64(words[1])
	}
	if q.Sign() < 0 {
		hi, lo = negate128(hi, lo)
	}
	return int64(hi), lo, true //nolint:gosec // the two's complement bits, on purpose
}

// scaledInt128 is x·10^zeros (zeros at most 19) as a hugeint; it reports
// false when that has more than precision digits.
func scaledInt128(x int64, zeros, precision int) (upper int64, lower uint64, ok bool) {
	mag := uint64(x)
	if x < 0 {
		mag = -mag
	}
	if x != 0 && decimalDigits(mag)+zeros > precision {
		return 0, 0, false
	}
	pow := uint64(1)
	for range zeros {
		pow *= 10
	}
	hi, lo := bits.Mul64(mag, pow)
	if x < 0 {
		hi, lo = negate128(hi, lo)
	}
	return int64(hi), lo, true //nolint:gosec // the two's complement bits, on purpose
}

// negate128 is the two's complement negation of a 128-bit integer.
func negate128(hi, lo uint64) (uint64, uint64) {
	lo, borrow := bits.Sub64(0, lo, 0)
	hi, _ = bits.Sub64(0, hi, borrow)
	return hi, lo
}

// decimalDigits counts n's decimal digits (1 for 0).
func decimalDigits(n uint64) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}
