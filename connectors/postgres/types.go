package postgres

import (
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// typeOf maps a Postgres type, by its internal name (pg_type.typname, e.g.
// "int4", "_text", "timestamptz"), to sluice's type system. Array types are
// the element's name with a leading underscore.
func typeOf(typname string, precision, scale int) connectors.Type {
	if elem, ok := strings.CutPrefix(typname, "_"); ok {
		return connectors.ArrayOf(typeOf(elem, 0, 0))
	}
	switch typname {
	case "int2", "int4", "int8", "oid", "xid", "cid":
		return connectors.Scalar(connectors.KindInt)
	case "float4", "float8":
		return connectors.Scalar(connectors.KindFloat)
	case "numeric", "money":
		return connectors.DecimalType(precision, scale)
	case "bool":
		return connectors.Scalar(connectors.KindBool)
	case "date":
		return connectors.Scalar(connectors.KindDate)
	case "time", "timetz":
		return connectors.Scalar(connectors.KindTime)
	case "timestamp":
		return connectors.Scalar(connectors.KindTimestamp)
	case "timestamptz":
		return connectors.Scalar(connectors.KindTimestampTZ)
	case "interval":
		return connectors.Scalar(connectors.KindInterval)
	case "json", "jsonb":
		return connectors.Scalar(connectors.KindJSON)
	case "bytea":
		return connectors.Scalar(connectors.KindBytes)
	case "uuid":
		return connectors.Scalar(connectors.KindUUID)
	case "text", "varchar", "bpchar", "char", "name", "citext", "xml", "inet", "cidr", "macaddr", "bit", "varbit", "tsvector":
		return connectors.Scalar(connectors.KindString)
	}
	return connectors.Scalar(connectors.KindString) // enums, domains and extension types read as text
}
