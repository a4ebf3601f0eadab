package mysql

import (
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// typeOf maps a MySQL/MariaDB data type name (information_schema's
// DATA_TYPE or the driver's DatabaseTypeName, any case) to sluice's types.
// columnType is the full COLUMN_TYPE when known, to tell tinyint(1) booleans.
func typeOf(dataType, columnType string, precision, scale int) connectors.Type {
	dt := strings.ToLower(strings.TrimPrefix(strings.ToUpper(dataType), "UNSIGNED "))
	switch dt {
	case "tinyint":
		if strings.HasPrefix(strings.ToLower(columnType), "tinyint(1)") {
			return connectors.Scalar(connectors.KindBool)
		}
		return connectors.Scalar(connectors.KindInt)
	case "smallint", "mediumint", "int", "integer", "bigint", "year":
		return connectors.Scalar(connectors.KindInt)
	case "float", "double", "real":
		return connectors.Scalar(connectors.KindFloat)
	case "decimal", "numeric":
		return connectors.DecimalType(precision, scale)
	case "bool", "boolean", "bit":
		if dt == "bit" && !strings.HasPrefix(strings.ToLower(columnType), "bit(1)") {
			return connectors.Scalar(connectors.KindBytes)
		}
		return connectors.Scalar(connectors.KindBool)
	case "date":
		return connectors.Scalar(connectors.KindDate)
	case "time":
		return connectors.Scalar(connectors.KindTime)
	case "datetime":
		return connectors.Scalar(connectors.KindTimestamp)
	case "timestamp":
		// MySQL stores TIMESTAMP as an instant and shows it in the session zone,
		// which sluice sets to UTC.
		return connectors.Scalar(connectors.KindTimestampTZ)
	case "json":
		return connectors.Scalar(connectors.KindJSON)
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "geometry":
		return connectors.Scalar(connectors.KindBytes)
	case "uuid": // MariaDB 10.7+
		return connectors.Scalar(connectors.KindUUID)
	}
	return connectors.Scalar(connectors.KindString)
}
