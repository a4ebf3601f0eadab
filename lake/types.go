package lake

import (
	"errors"
	"fmt"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/sluice-dev/sluice/connectors"
)

// Decimals without a declared precision are stored as DECIMAL(38,9): the
// widest DuckDB decimal, with nine fractional digits (values with more are
// rounded; values with more than 29 integer digits cannot be written).
const (
	maxDecimalPrecision  = 38
	unconstrainedDecimal = 9
)

// lakeType returns the type sluice stores for a source type: decimals get a
// precision, unknown kinds become strings, arrays keep their element.
func lakeType(t connectors.Type) connectors.Type {
	switch t.Kind {
	case connectors.KindDecimal:
		if t.Precision <= 0 {
			return connectors.DecimalType(maxDecimalPrecision, unconstrainedDecimal)
		}
		p, s := min(t.Precision, maxDecimalPrecision), max(t.Scale, 0)
		return connectors.DecimalType(p, min(s, p))
	case connectors.KindArray:
		elem := connectors.Scalar(connectors.KindString)
		if t.Elem != nil {
			elem = lakeType(*t.Elem)
		}
		return connectors.ArrayOf(elem)
	case connectors.KindUnknown, "":
		return connectors.Scalar(connectors.KindString)
	}
	return t
}

// ducklakeTypeNames are the specification's column_type names per kind.
var ducklakeTypeNames = map[connectors.Kind]string{
	connectors.KindString:      "varchar",
	connectors.KindInt:         "int64",
	connectors.KindFloat:       "float64",
	connectors.KindBool:        "boolean",
	connectors.KindDate:        "date",
	connectors.KindTime:        "time",
	connectors.KindTimestamp:   "timestamp",
	connectors.KindTimestampTZ: "timestamptz",
	connectors.KindInterval:    "interval",
	connectors.KindJSON:        "json",
	connectors.KindBytes:       "blob",
	connectors.KindUUID:        "uuid",
	connectors.KindArray:       "list",
}

// ducklakeTypeName returns the column_type of a (lake) type's own column;
// an array is "list" and its element is a child column.
func ducklakeTypeName(t connectors.Type) string {
	if t.Kind == connectors.KindDecimal {
		return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
	}
	return ducklakeTypeNames[t.Kind]
}

// duckdbTypes are DuckDB's SQL names per kind.
var duckdbTypes = map[connectors.Kind]string{
	connectors.KindString:      "VARCHAR",
	connectors.KindInt:         "BIGINT",
	connectors.KindFloat:       "DOUBLE",
	connectors.KindBool:        "BOOLEAN",
	connectors.KindDate:        "DATE",
	connectors.KindTime:        "TIME",
	connectors.KindTimestamp:   "TIMESTAMP",
	connectors.KindTimestampTZ: "TIMESTAMPTZ",
	connectors.KindInterval:    "INTERVAL",
	connectors.KindJSON:        "JSON",
	connectors.KindBytes:       "BLOB",
	connectors.KindUUID:        "UUID",
}

// duckdbType returns the DuckDB SQL type of a lake type.
func duckdbType(t connectors.Type) string {
	switch t.Kind {
	case connectors.KindDecimal:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale)
	case connectors.KindArray:
		return duckdbType(*t.Elem) + "[]"
	}
	return duckdbTypes[t.Kind]
}

// readType is the type a reader asks the Parquet reader for. JSON is read as
// VARCHAR and cast afterwards: DuckDB 1.4's read_parquet schema parameter
// does not accept the JSON alias.
func readType(t connectors.Type) string {
	if t.Kind == connectors.KindJSON {
		return "VARCHAR"
	}
	if t.Kind == connectors.KindArray {
		return readType(*t.Elem) + "[]"
	}
	return duckdbType(t)
}

// typeFromDucklake maps a catalog column_type back to sluice's type; elem is
// the child's type for a list.
func typeFromDucklake(name string, elem *connectors.Type) connectors.Type {
	name = strings.ToLower(strings.TrimSpace(name))
	if strings.HasPrefix(name, "decimal(") {
		var p, s int
		if _, err := fmt.Sscanf(name, "decimal(%d,%d)", &p, &s); err == nil {
			return connectors.DecimalType(p, s)
		}
	}
	switch name {
	case "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32":
		return connectors.Scalar(connectors.KindInt)
	case "uint64", "int128", "uint128":
		return connectors.DecimalType(maxDecimalPrecision, 0)
	case "float32", "float64":
		return connectors.Scalar(connectors.KindFloat)
	case "timestamp_s", "timestamp_ms", "timestamp_ns", "timestamp_us":
		return connectors.Scalar(connectors.KindTimestamp)
	case "timestamptz_ns":
		return connectors.Scalar(connectors.KindTimestampTZ)
	case "time_ns", "timetz":
		return connectors.Scalar(connectors.KindTime)
	case "list":
		if elem != nil {
			return connectors.ArrayOf(*elem)
		}
		return connectors.ArrayOf(connectors.Scalar(connectors.KindUnknown))
	}
	for k, n := range ducklakeTypeNames {
		if n == name {
			return connectors.Scalar(k)
		}
	}
	return connectors.Scalar(connectors.KindUnknown)
}

// SchemaChangeError means a source column changed type in a way the lake
// cannot follow without losing data. Nothing is committed.
type SchemaChangeError struct {
	Table   string
	Column  string
	OldType connectors.Type
	NewType connectors.Type
}

func (e *SchemaChangeError) Error() string {
	return fmt.Sprintf("column %s of %s changed from %s to %s, which the lake cannot widen to; recreate the table or cast the column in the source",
		e.Column, e.Table, e.OldType, e.NewType)
}

// ValueError is a source value the lake column cannot hold (a NaN or
// infinite decimal, a timestamp outside DuckDB's range, text that is no
// number): the same data fails the same way however often it is written.
type ValueError struct {
	Column string
	Err    error
}

func (e *ValueError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("a value the lake cannot hold: %v", e.Err)
	}
	return fmt.Sprintf("column %s: %v", e.Column, e.Err)
}

// valueErrorOf returns DuckDB's conversion and range errors (a cast of
// staged values while a file is written) as a ValueError holding the first
// line of DuckDB's message (not the statement, which names files); others
// as they are.
func valueErrorOf(err error) error {
	var de *duckdb.Error
	if errors.As(err, &de) && (de.Type == duckdb.ErrorTypeConversion || de.Type == duckdb.ErrorTypeOutOfRange) {
		line, _, _ := strings.Cut(de.Msg, "\n")
		return &ValueError{Err: errors.New(line)}
	}
	return err
}

func (e *ValueError) Unwrap() error { return e.Err }

// widen returns the type that holds every value of both the lake column's
// current type and the source's new type, and false when there is none.
//
// Widening follows int < decimal < float, date < timestamp < timestamptz
// (timestamps without zone are read as UTC), uuid and json < string, and an
// array widens with its element. Everything else must stay the same kind.
func widen(cur, next connectors.Type) (connectors.Type, bool) {
	cur, next = lakeType(cur), lakeType(next)
	if cur.Kind == next.Kind {
		switch cur.Kind {
		case connectors.KindDecimal:
			return widenDecimal(cur, next)
		case connectors.KindArray:
			elem, ok := widen(*cur.Elem, *next.Elem)
			return connectors.ArrayOf(elem), ok
		}
		return cur, true
	}
	if r, ok := numericRank[cur.Kind]; ok {
		if n, ok := numericRank[next.Kind]; ok {
			switch {
			case r < n && next.Kind == connectors.KindDecimal:
				return widenDecimal(connectors.DecimalType(19, 0), next)
			case r > n && cur.Kind == connectors.KindDecimal:
				return widenDecimal(cur, connectors.DecimalType(19, 0))
			case r < n:
				return next, true
			}
			return cur, true
		}
	}
	if r, ok := timeRank[cur.Kind]; ok {
		if n, ok := timeRank[next.Kind]; ok {
			if r < n {
				return next, true
			}
			return cur, true
		}
	}
	textual := func(k connectors.Kind) bool { return k == connectors.KindUUID || k == connectors.KindJSON }
	if cur.Kind == connectors.KindString && textual(next.Kind) {
		return cur, true
	}
	if next.Kind == connectors.KindString && textual(cur.Kind) {
		return next, true
	}
	return cur, false
}

var (
	numericRank = map[connectors.Kind]int{connectors.KindInt: 0, connectors.KindDecimal: 1, connectors.KindFloat: 2}
	timeRank    = map[connectors.Kind]int{connectors.KindDate: 0, connectors.KindTimestamp: 1, connectors.KindTimestampTZ: 2}
)

// widenDecimal keeps the larger integer part and the larger scale, if they
// fit in 38 digits.
func widenDecimal(a, b connectors.Type) (connectors.Type, bool) {
	scale := max(a.Scale, b.Scale)
	whole := max(a.Precision-a.Scale, b.Precision-b.Scale)
	if whole+scale > maxDecimalPrecision {
		return a, false
	}
	return connectors.DecimalType(whole+scale, scale), true
}

// sameType reports whether two lake types are identical.
func sameType(a, b connectors.Type) bool { return a.String() == b.String() }
