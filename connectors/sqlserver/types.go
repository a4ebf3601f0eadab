package sqlserver

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	mssql "github.com/microsoft/go-mssqldb"

	"github.com/sluice-dev/sluice/connectors"
)

// typeOf maps a SQL Server type name (as the catalog or the driver spells it,
// in any case) to a sluice type.
func typeOf(name string, precision, scale int) connectors.Type {
	switch strings.ToLower(name) {
	case "bit":
		return connectors.Scalar(connectors.KindBool)
	case "tinyint", "smallint", "int", "bigint":
		return connectors.Scalar(connectors.KindInt)
	case "decimal", "numeric":
		return connectors.DecimalType(precision, scale)
	case "money":
		return connectors.DecimalType(19, 4)
	case "smallmoney":
		return connectors.DecimalType(10, 4)
	case "float", "real":
		return connectors.Scalar(connectors.KindFloat)
	case "date":
		return connectors.Scalar(connectors.KindDate)
	case "time":
		return connectors.Scalar(connectors.KindTime)
	case "datetime", "datetime2", "smalldatetime":
		return connectors.Scalar(connectors.KindTimestamp)
	case "datetimeoffset":
		return connectors.Scalar(connectors.KindTimestampTZ)
	case "char", "varchar", "nchar", "nvarchar", "text", "ntext", "sysname", "xml":
		return connectors.Scalar(connectors.KindString)
	case "json": // SQL Server 2025 and Azure SQL
		return connectors.Scalar(connectors.KindJSON)
	case "binary", "varbinary", "image", "timestamp", "rowversion":
		return connectors.Scalar(connectors.KindBytes)
	case "uniqueidentifier":
		return connectors.Scalar(connectors.KindUUID)
	}
	// sql_variant, hierarchyid, geometry, geography, vector and CLR types.
	return connectors.Scalar(connectors.KindUnknown)
}

// sourceType renders a column's declared type the way T-SQL writes it, from
// sys.columns: max_length is in bytes (-1 for max), so Unicode types halve it.
func sourceType(name string, maxLength, precision, scale int) string {
	switch strings.ToLower(name) {
	case "varchar", "char", "varbinary", "binary":
		return name + "(" + lengthText(maxLength, 1) + ")"
	case "nvarchar", "nchar":
		return name + "(" + lengthText(maxLength, 2) + ")"
	case "decimal", "numeric":
		return fmt.Sprintf("%s(%d,%d)", name, precision, scale)
	case "datetime2", "datetimeoffset", "time":
		return fmt.Sprintf("%s(%d)", name, scale)
	}
	return name
}

func lengthText(maxLength, bytesPerChar int) string {
	if maxLength < 0 {
		return "max"
	}
	return fmt.Sprint(maxLength / bytesPerChar)
}

// normalize turns what the driver returns into the form connectors.ResultSet
// documents. typeName is the driver's upper-case type name for the column.
func normalize(v any, typeName string) any {
	switch x := v.(type) {
	case nil:
		return nil
	case []byte:
		switch typeName {
		case "DECIMAL", "NUMERIC", "MONEY", "SMALLMONEY":
			return connectors.Decimal(x) // the driver renders these exactly as text
		case "UNIQUEIDENTIFIER":
			var u mssql.UniqueIdentifier // undoes SQL Server's mixed-endian byte order
			if err := u.Scan(x); err == nil {
				return uuid.UUID(u).String()
			}
		}
		return x
	case time.Time:
		switch typeName {
		case "DATE":
			return connectors.Date(x.Format(time.DateOnly))
		case "TIME":
			return connectors.TimeOfDay(timeOfDay(x))
		case "DATETIMEOFFSET":
			return x.UTC()
		}
		return x // datetime, datetime2: the wall time, in UTC
	case string:
		if typeName == "JSON" {
			return connectors.JSON(x)
		}
		return x
	case int64, float64, bool:
		return x
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	}
	return fmt.Sprint(v) // sql_variant values the driver could not type
}

// timeOfDay renders HH:MM:SS with microseconds when there are any.
func timeOfDay(t time.Time) string {
	out := t.Format("15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		out += strings.TrimRight(fmt.Sprintf(".%06d", us), "0")
	}
	return out
}
