package lake

import (
	"fmt"
	"slices"

	"github.com/sluice-dev/sluice/connectors"
)

// encodeValues wraps a query whose columns are cols so its values are
// written to Parquet in forms every DuckLake reader takes:
//   - intervals as DuckDB's interval text (see interval.go);
//   - NaN as DuckDB's own NaN. Go's NaN has another bit pattern (math.NaN
//     is 0x7FF8000000000001); DuckDB compares it as NaN but its Parquet
//     writer hashes the bits into the column's bloom filter, so DuckDB 1.5
//     probing for `= 'nan'` skipped every row group holding Go's NaNs.
//
// Queries without such columns are returned as they are. Every Parquet file
// sluice writes goes through writeStaged, and so through this.
func encodeValues(query string, cols []FileColumn) string {
	if !slices.ContainsFunc(cols, func(c FileColumn) bool { return needsEncoding(c.Type) }) {
		return query
	}
	return "SELECT " + selectList(cols, func(_ int, c FileColumn) string {
		return encodeExpr(quoteIdent(c.Name), c.Type, 0)
	}) + " FROM (" + query + ")"
}

func needsEncoding(t connectors.Type) bool {
	if t.Kind == connectors.KindArray && t.Elem != nil {
		return needsEncoding(*t.Elem)
	}
	return t.Kind == connectors.KindInterval || t.Kind == connectors.KindFloat
}

// encodeExpr is the expression that writes value v of type t; depth names
// the lambda parameter of nested lists.
func encodeExpr(v string, t connectors.Type, depth int) string {
	switch {
	case t.Kind == connectors.KindArray && t.Elem != nil && needsEncoding(*t.Elem):
		x := fmt.Sprintf("x%d", depth)
		return fmt.Sprintf("list_transform(%s, %s -> %s)", v, x, encodeExpr(x, *t.Elem, depth+1))
	case t.Kind == connectors.KindInterval:
		return fmt.Sprintf("CAST(%s AS VARCHAR)", v)
	case t.Kind == connectors.KindFloat:
		return fmt.Sprintf("CASE WHEN isnan(%[1]s) THEN CAST('nan' AS DOUBLE) ELSE %[1]s END", v)
	}
	return v
}
