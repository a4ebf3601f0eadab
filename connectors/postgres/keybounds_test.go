package postgres_test

import (
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestKeyQuantilesEvenOutSkewedKeys: keys that crowd at the low end (the
// squares of 1..10000) split by the histogram into parts of about equal
// rows, where equal widths of min..max would put most rows in the first.
func TestKeyQuantilesEvenOutSkewedKeys(t *testing.T) {
	db := scratchDatabase(t, `CREATE TABLE sq (id bigint PRIMARY KEY);
		INSERT INTO sq SELECT g * g FROM generate_series(1, 10000) g; ANALYZE sq;`)
	q := openSource[connectors.KeyQuantiler](t, db, "")
	cuts, ok, err := q.KeyQuantiles(t.Context(), connectors.TableRef{Schema: "public", Name: "sq"}, "id", 4)
	if err != nil || !ok || len(cuts) != 3 {
		t.Fatalf("KeyQuantiles = %v, %v, %v; want 3 cuts", cuts, ok, err)
	}
	// Row g holds key g*g: the rows up to a cut are about its square root.
	prev := int64(0)
	for _, c := range cuts {
		var g int64
		for (g+1)*(g+1) <= c {
			g++
		}
		if part := g - prev; part < 2000 || part > 3000 {
			t.Errorf("cuts %v: a part of %d rows, want about 2500", cuts, part)
		}
		prev = g
	}
	if _, ok, err := q.KeyQuantiles(t.Context(), connectors.TableRef{Schema: "public", Name: "missing"}, "id", 4); ok || err != nil {
		t.Errorf("a table without statistics: ok %v, err %v; want neither", ok, err)
	}
}
