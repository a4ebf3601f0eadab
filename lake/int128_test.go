package lake

import (
	"math"
	"math/big"
	"testing"
)

// int128Big reads a hugeint's halves back as a big.Int.
func int128Big(upper int64, lower uint64) *big.Int {
	n := new(big.Int).Lsh(big.NewInt(upper), 64)
	return n.Add(n, new(big.Int).SetUint64(lower))
}

func TestInt128Halves(t *testing.T) {
	for _, x := range []int64{0, 1, -1, 42, -42, math.MaxInt64, math.MinInt64} {
		if u, l := int128Of(x); int128Big(u, l).Cmp(big.NewInt(x)) != 0 {
			t.Errorf("int128Of(%d) = %d, %d", x, u, l)
		}
	}
	limit, _ := new(big.Int).SetString("99999999999999999999999999999999999999", 10)
	for _, q := range []*big.Int{big.NewInt(0), big.NewInt(-5), new(big.Int).Lsh(big.NewInt(1), 64), new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 64)), limit, new(big.Int).Neg(limit)} {
		u, l, ok := bigInt128(q)
		if !ok || int128Big(u, l).Cmp(q) != 0 {
			t.Errorf("bigInt128(%s) = %d, %d, %v", q, u, l, ok)
		}
	}
	if _, _, ok := bigInt128(new(big.Int).Lsh(big.NewInt(1), 127)); ok {
		t.Error("bigInt128(2^127) fits, want refused")
	}
	cases := []struct {
		x                int64
		zeros, precision int
		want             string
		ok               bool
	}{
		{-123, 2, 5, "-12300", true},
		{-123, 3, 5, "", false},
		{math.MaxInt64, 19, 38, "92233720368547758070000000000000000000", true},
		{math.MinInt64, 19, 38, "-92233720368547758080000000000000000000", true},
		{0, 19, 1, "0", true},
	}
	for _, c := range cases {
		u, l, ok := scaledInt128(c.x, c.zeros, c.precision)
		if ok != c.ok || ok && int128Big(u, l).String() != c.want {
			t.Errorf("scaledInt128(%d, %d, %d) = %s, %v; want %s, %v", c.x, c.zeros, c.precision, int128Big(u, l), ok, c.want, c.ok)
		}
	}
}
