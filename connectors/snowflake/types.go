package snowflake

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// typeOf maps a Snowflake type to a sluice type. It takes the names
// INFORMATION_SCHEMA.COLUMNS uses (NUMBER, TEXT, TIMESTAMP_NTZ…) and those
// the driver reports for results (FIXED, REAL, TEXT…).
func typeOf(name string, precision, scale int) connectors.Type {
	switch strings.ToUpper(name) {
	case "NUMBER", "FIXED", "DECIMAL", "NUMERIC":
		// INTEGER is NUMBER(38,0): whole numbers are ints (a value beyond
		// 64 bits arrives as exact decimal text).
		if scale == 0 {
			return connectors.Scalar(connectors.KindInt)
		}
		return connectors.DecimalType(precision, scale)
	case "DECFLOAT":
		return connectors.DecimalType(0, 0)
	case "FLOAT", "REAL", "DOUBLE":
		return connectors.Scalar(connectors.KindFloat)
	case "TEXT", "VARCHAR", "STRING", "CHAR", "GEOGRAPHY", "GEOMETRY":
		return connectors.Scalar(connectors.KindString)
	case "BOOLEAN":
		return connectors.Scalar(connectors.KindBool)
	case "DATE":
		return connectors.Scalar(connectors.KindDate)
	case "TIME":
		return connectors.Scalar(connectors.KindTime)
	case "TIMESTAMP_NTZ", "DATETIME":
		return connectors.Scalar(connectors.KindTimestamp)
	case "TIMESTAMP_LTZ", "TIMESTAMP_TZ":
		return connectors.Scalar(connectors.KindTimestampTZ)
	case "VARIANT", "OBJECT", "ARRAY", "MAP":
		return connectors.Scalar(connectors.KindJSON)
	case "BINARY", "VARBINARY":
		return connectors.Scalar(connectors.KindBytes)
	}
	return connectors.Scalar(connectors.KindUnknown) // VECTOR, FILE
}

// sourceType renders a column's declared type from INFORMATION_SCHEMA.COLUMNS.
func sourceType(dataType string, precision, scale, timePrecision, length int) string {
	switch dataType {
	case "NUMBER":
		return fmt.Sprintf("NUMBER(%d,%d)", precision, scale)
	case "TEXT":
		return fmt.Sprintf("VARCHAR(%d)", length)
	case "BINARY":
		return fmt.Sprintf("BINARY(%d)", length)
	case "TIME", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIMESTAMP_TZ":
		return fmt.Sprintf("%s(%d)", dataType, timePrecision)
	}
	return dataType
}

// normalize turns what the driver returns (asked for higher precision, so
// numbers arrive exact) into the form connectors.ResultSet documents.
// typeName is the driver's type name; scale is the column's, for decimals.
func normalize(v any, typeName string, scale int) any {
	switch x := v.(type) {
	case nil:
		return nil
	case *big.Int:
		if x.IsInt64() {
			return x.Int64()
		}
		return connectors.Decimal(x.String())
	case *big.Float:
		// The driver divides the unscaled integer by 10^scale in binary with
		// enough precision that rendering at the scale gives the exact value.
		if typeName == "DECFLOAT" {
			return connectors.Decimal(x.Text('f', -1))
		}
		return connectors.Decimal(x.Text('f', scale))
	case string:
		switch typeName {
		case "VARIANT", "OBJECT", "ARRAY", "MAP":
			return connectors.JSON(x)
		case "FIXED", "DECFLOAT":
			return connectors.Decimal(x)
		}
		return x
	case time.Time:
		switch typeName {
		case "DATE":
			return connectors.Date(x.Format(time.DateOnly))
		case "TIME":
			return connectors.TimeOfDay(timeOfDay(x))
		case "TIMESTAMP_NTZ":
			return x // the wall time, in UTC
		}
		return x.UTC()
	case int64, float64, bool, []byte:
		return x
	}
	return fmt.Sprint(v)
}

// timeOfDay renders HH:MM:SS with microseconds when there are any.
func timeOfDay(t time.Time) string {
	out := t.Format("15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		out += strings.TrimRight(fmt.Sprintf(".%06d", us), "0")
	}
	return out
}
