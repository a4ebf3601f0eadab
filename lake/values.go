package lake

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/connectors"
)

// stageColumn says how one column is buffered in DuckDB before it is written:
// the staging table's type, how a sluice value becomes an appender value, and
// the expression that turns the staged value into the lake type. Kinds whose
// Go forms DuckDB parses faster than Go (decimals, dates, UUIDs, JSON) are
// staged as text and cast by DuckDB, vectorized, while writing the file.
type stageColumn struct {
	stageType string
	convert   func(any) (driver.Value, error)
	expr      func(col string) string
}

func castTo(t connectors.Type) func(string) string {
	return func(col string) string { return fmt.Sprintf("CAST(%s AS %s)", col, duckdbType(t)) }
}

func asIs(col string) string { return col }

// stageFor returns the staging of a lake type.
func stageFor(t connectors.Type) stageColumn {
	switch t.Kind {
	case connectors.KindInt:
		return stageColumn{"BIGINT", toInt64, asIs}
	case connectors.KindFloat:
		return stageColumn{"DOUBLE", toFloat64, asIs}
	case connectors.KindBool:
		return stageColumn{"BOOLEAN", toBool, asIs}
	case connectors.KindTimestamp, connectors.KindTimestampTZ:
		return stageColumn{duckdbType(t), toTime, asIs}
	case connectors.KindInterval:
		return stageColumn{"INTERVAL", toInterval, asIs}
	case connectors.KindBytes:
		return stageColumn{"BLOB", toBytes, asIs}
	case connectors.KindJSON:
		return stageColumn{"VARCHAR", toJSONText, castTo(t)}
	case connectors.KindArray:
		// Arrays travel as JSON text; DuckDB casts JSON arrays to typed lists.
		// JSON cannot carry bytes, so byte arrays travel as base64 strings.
		if t.Elem.Kind == connectors.KindInterval {
			return stageColumn{"VARCHAR", toIntervalListText, func(col string) string {
				return fmt.Sprintf("CAST(CAST(%s AS JSON) AS %s)", col, duckdbType(t))
			}}
		}
		if t.Elem.Kind == connectors.KindBytes {
			return stageColumn{"VARCHAR", toJSONText, func(col string) string {
				return fmt.Sprintf("list_transform(CAST(CAST(%s AS JSON) AS VARCHAR[]), e -> from_base64(e))", col)
			}}
		}
		convert := toJSONText
		if t.Elem.Kind == connectors.KindDecimal {
			convert = finiteDecimals(convert)
		}
		return stageColumn{"VARCHAR", convert, func(col string) string {
			return fmt.Sprintf("CAST(CAST(%s AS JSON) AS %s)", col, duckdbType(t))
		}}
	case connectors.KindString:
		return stageColumn{"VARCHAR", toText, asIs}
	case connectors.KindDecimal:
		if t.Precision <= maxInt64Precision {
			// Every such decimal stages as DECIMAL(18, s), an int64 in the
			// appender's vectors whatever the precision.
			staged := connectors.DecimalType(maxInt64Precision, t.Scale)
			return stageColumn{duckdbType(staged), toUnscaled(t.Precision, t.Scale), castTo(t)}
		}
		staged := connectors.DecimalType(maxDecimalPrecision, t.Scale) // a HUGEINT in the appender's vectors
		return stageColumn{duckdbType(staged), toUnscaledWide(t.Precision, t.Scale), castTo(t)}
	case connectors.KindUUID:
		// As text, which the appender parses into DuckDB's UUID: cheaper
		// than a cast, and key order tracking sees the text.
		return stageColumn{"UUID", toText, asIs}
	}
	// date, time
	return stageColumn{"VARCHAR", toText, castTo(t)}
}

func conversionError(v any, to string) error {
	return fmt.Errorf("cannot store a %T value (%v) as %s", v, v, to)
}

func toInt64(v any) (driver.Value, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), nil
		}
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return nil, conversionError(v, "int")
}

func toFloat64(v any) (driver.Value, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case int:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case connectors.Decimal:
		return strconv.ParseFloat(string(x), 64)
	case string:
		return strconv.ParseFloat(x, 64)
	}
	return nil, conversionError(v, "float")
}

func toBool(v any) (driver.Value, error) {
	switch x := v.(type) {
	case nil, bool:
		return x, nil
	case int64:
		return x != 0, nil
	case string:
		return strconv.ParseBool(x)
	}
	return nil, conversionError(v, "bool")
}

func toTime(v any) (driver.Value, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		return x.UTC(), nil
	case connectors.Date:
		return time.Parse(time.DateOnly, string(x))
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", time.DateOnly} {
			if t, err := time.Parse(layout, x); err == nil {
				return t.UTC(), nil
			}
		}
	}
	return nil, conversionError(v, "timestamp")
}

func toBytes(v any) (driver.Value, error) {
	switch x := v.(type) {
	case nil, []byte:
		return x, nil
	case string:
		return []byte(x), nil
	}
	return nil, conversionError(v, "bytes")
}

// toText renders a value as the text DuckDB casts to the lake type.
func toText(v any) (driver.Value, error) {
	switch x := v.(type) {
	case nil, string:
		return x, nil
	case connectors.Decimal:
		return string(x), nil
	case connectors.Date:
		return string(x), nil
	case connectors.TimeOfDay:
		return string(x), nil
	case connectors.JSON:
		return string(x), nil
	case []byte:
		return string(x), nil
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999999Z07:00"), nil
	case [16]byte:
		return uuid.UUID(x).String(), nil
	case uuid.UUID:
		return x.String(), nil
	case *big.Int:
		return x.String(), nil
	case int64, int, int32, int16, int8, uint64, uint32, bool:
		return fmt.Sprint(x), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32), nil
	}
	return nil, conversionError(v, "text")
}

// toJSONText renders JSON documents as they are and anything else (arrays,
// maps) as its JSON encoding.
func toJSONText(v any) (driver.Value, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case connectors.JSON:
		return string(x), nil
	case string:
		return x, nil
	case []byte:
		return string(x), nil
	}
	b, err := json.Marshal(jsonable(v))
	if err != nil {
		return nil, fmt.Errorf("encode %T as JSON: %w", v, err)
	}
	return string(b), nil
}

// jsonable turns sluice values nested in arrays into values whose JSON
// encoding DuckDB casts back: bytes as base64 (encoding/json's default),
// times as DuckDB's timestamp text, non-finite floats as text, others as
// they are.
func jsonable(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e)
		}
		return out
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999999Z07:00")
	case float64:
		return jsonFloat(x)
	case float32:
		return jsonFloat(float64(x))
	}
	return v
}

// jsonFloat gives NaN and the infinities, which JSON has no numbers for, as
// the strings DuckDB casts back to them.
func jsonFloat(x float64) any {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	return x
}

func toInterval(v any) (driver.Value, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case duckdb.Interval:
		return x, nil
	case time.Duration:
		return duckdb.Interval{Micros: x.Microseconds()}, nil
	case string:
		return parseISOInterval(x)
	}
	return nil, conversionError(v, "interval")
}

// finiteDecimals refuses, before convert, a list holding a NaN or infinite
// decimal, which DuckDB's cast would refuse later without naming the column.
func finiteDecimals(convert func(any) (driver.Value, error)) func(any) (driver.Value, error) {
	return func(v any) (driver.Value, error) {
		if list, ok := v.([]any); ok {
			for _, e := range list {
				if d, ok := e.(connectors.Decimal); ok && notFinite(string(d)) {
					return nil, notFiniteError(string(d))
				}
			}
		}
		return convert(v)
	}
}
