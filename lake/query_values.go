package lake

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/connectors"
)

// resultTypes maps DuckDB's type names to sluice's kinds.
var resultTypes = map[string]connectors.Kind{
	"BOOLEAN": connectors.KindBool, "TINYINT": connectors.KindInt, "SMALLINT": connectors.KindInt,
	"INTEGER": connectors.KindInt, "BIGINT": connectors.KindInt, "UTINYINT": connectors.KindInt,
	"USMALLINT": connectors.KindInt, "UINTEGER": connectors.KindInt, "UBIGINT": connectors.KindDecimal,
	"HUGEINT": connectors.KindDecimal, "UHUGEINT": connectors.KindDecimal, "BIGNUM": connectors.KindDecimal,
	"VARINT": connectors.KindDecimal, "FLOAT": connectors.KindFloat, "DOUBLE": connectors.KindFloat,
	"VARCHAR": connectors.KindString, "DATE": connectors.KindDate, "TIME": connectors.KindTime,
	"TIMETZ": connectors.KindTime, "TIME WITH TIME ZONE": connectors.KindTime,
	"TIMESTAMP": connectors.KindTimestamp, "TIMESTAMP_S": connectors.KindTimestamp,
	"TIMESTAMP_MS": connectors.KindTimestamp, "TIMESTAMP_NS": connectors.KindTimestamp,
	"TIMESTAMPTZ": connectors.KindTimestampTZ, "TIMESTAMP WITH TIME ZONE": connectors.KindTimestampTZ,
	"INTERVAL": connectors.KindInterval, "JSON": connectors.KindJSON, "BLOB": connectors.KindBytes,
	"UUID": connectors.KindUUID, "BIT": connectors.KindString,
}

// resultType maps a DuckDB result column type to sluice's type system.
func resultType(name string) connectors.Type {
	name = strings.TrimSpace(name)
	switch {
	case strings.HasSuffix(name, "]"):
		if i := strings.LastIndex(name, "["); i > 0 {
			return connectors.ArrayOf(resultType(name[:i]))
		}
	case strings.HasPrefix(name, "DECIMAL("):
		var p, s int
		if _, err := fmt.Sscanf(name, "DECIMAL(%d,%d)", &p, &s); err == nil {
			return connectors.DecimalType(p, s)
		}
	case strings.HasPrefix(name, "STRUCT("), strings.HasPrefix(name, "MAP("), strings.HasPrefix(name, "UNION("):
		return connectors.Scalar(connectors.KindJSON)
	case strings.HasPrefix(name, "ENUM("):
		return connectors.Scalar(connectors.KindString)
	}
	if k, ok := resultTypes[name]; ok {
		return connectors.Scalar(k)
	}
	return connectors.Scalar(connectors.KindUnknown)
}

// normalize turns a value duckdb-go scanned into connectors.ResultSet's form.
func normalize(v any, t connectors.Type) any {
	switch x := v.(type) {
	case nil, bool, string, int64, float64:
		if t.Kind == connectors.KindJSON && x != nil {
			return jsonText(x)
		}
		return x
	case []byte:
		if t.Kind == connectors.KindUUID && len(x) == 16 {
			return uuid.UUID(x).String()
		}
		return x
	case int8, int16, int32, uint8, uint16, uint32:
		return toInt(x)
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x)
		}
		return connectors.Decimal(fmt.Sprint(x))
	case *big.Int:
		return connectors.Decimal(x.String())
	case float32:
		return float64(x)
	case duckdb.Decimal:
		return connectors.Decimal(decimalText(x))
	case duckdb.UUID:
		return uuid.UUID(x).String()
	case duckdb.Interval:
		return formatISOInterval(x)
	case time.Time:
		switch t.Kind {
		case connectors.KindDate:
			return connectors.Date(x.Format(time.DateOnly))
		case connectors.KindTime:
			return connectors.TimeOfDay(strings.TrimSuffix(strings.TrimRight(x.Format("15:04:05.000000"), "0"), "."))
		}
		return x
	case []any:
		if t.Kind == connectors.KindJSON {
			return jsonText(x)
		}
		elem := connectors.Scalar(connectors.KindUnknown)
		if t.Elem != nil {
			elem = *t.Elem
		}
		for i := range x {
			x[i] = normalize(x[i], elem)
		}
		return x
	case map[string]any, duckdb.Map:
		return jsonText(x)
	}
	return fmt.Sprint(v)
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	}
	return 0
}

// decimalText renders a decimal exactly, keeping its scale ("3.50").
func decimalText(d duckdb.Decimal) string {
	digits := new(big.Int).Abs(d.Value).String()
	if scale := int(d.Scale); scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if d.Value.Sign() < 0 {
		return "-" + digits
	}
	return digits
}

// jsonText encodes a structured DuckDB value (a parsed JSON document, a
// STRUCT or MAP) as JSON text.
func jsonText(v any) connectors.JSON {
	b, err := json.Marshal(toJSONValue(v))
	if err != nil {
		return connectors.JSON(fmt.Sprintf("%q", fmt.Sprint(v)))
	}
	return connectors.JSON(b)
}

// toJSONValue converts nested DuckDB values to ones encoding/json renders
// faithfully.
func toJSONValue(v any) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		return json.Number(decimalText(x))
	case *big.Int:
		return json.Number(x.String())
	case duckdb.Interval:
		return formatISOInterval(x)
	case duckdb.UUID:
		return uuid.UUID(x).String()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toJSONValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = toJSONValue(e)
		}
		return out
	case duckdb.Map:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = toJSONValue(e)
		}
		return out
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprint(x)
		}
	}
	return v
}
