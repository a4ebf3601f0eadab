package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
)

// tablesSQL lists the tables, views, materialized views and foreign tables
// the user can read. reltuples is -1 until a table is first analyzed.
const tablesSQL = `
SELECT n.nspname, c.relname,
       CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized_view' WHEN 'f' THEN 'external' ELSE 'table' END,
       CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint END,
       COALESCE(obj_description(c.oid, 'pg_class'), '')
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
  AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
ORDER BY 1, 2`

// redshiftTablesSQL uses svv_tables, which also lists late-binding views and
// Spectrum tables that pg_class does not show on Redshift.
const redshiftTablesSQL = `
SELECT t.table_schema, t.table_name,
       CASE t.table_type WHEN 'VIEW' THEN 'view' WHEN 'EXTERNAL TABLE' THEN 'external' ELSE 'table' END,
       i.tbl_rows::bigint, COALESCE(t.remarks, '')
FROM svv_tables t
LEFT JOIN svv_table_info i ON i.schema = t.table_schema AND i."table" = t.table_name
WHERE t.table_schema NOT IN ('pg_catalog', 'information_schema') AND t.table_schema NOT LIKE 'pg\_%'
ORDER BY 1, 2`

// Tables lists the tables and views the user can read.
func (c *Connector) Tables(ctx context.Context) ([]connectors.Table, error) {
	sql := tablesSQL
	if c.redshift {
		sql = redshiftTablesSQL
	}
	return rowsOf(ctx, c, sql, func(row pgx.CollectableRow) (connectors.Table, error) {
		var t connectors.Table
		err := row.Scan(&t.Schema, &t.Name, &t.Kind, &t.RowEstimate, &t.Comment)
		return t, err
	})
}

// columnsSQL reads columns from pg_attribute, with numeric precision decoded
// from the type modifier and primary keys from pg_index.
const columnsSQL = `
SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typname, NOT a.attnotnull, a.attnum::int,
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY (i.indkey)),
       CASE WHEN t.typname = 'numeric' AND a.atttypmod > 0 THEN ((a.atttypmod - 4) >> 16) & 65535 ELSE 0 END,
       CASE WHEN t.typname = 'numeric' AND a.atttypmod > 0 THEN (a.atttypmod - 4) & 65535 ELSE 0 END,
       COALESCE(col_description(c.oid, a.attnum), '')
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`

// redshiftColumnsSQL uses svv_columns; Redshift keeps no primary keys that
// it enforces, so they are reported from its informational constraints in
// pg_constraint, which every user may read (information_schema's
// table_constraints hides them from a user who may only SELECT).
const redshiftColumnsSQL = `
SELECT c.column_name, c.data_type, c.data_type, c.is_nullable = 'YES', c.ordinal_position::int,
       EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k
               JOIN pg_catalog.pg_class r ON r.oid = k.conrelid
               JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
               JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum = ANY (k.conkey)
               WHERE k.contype = 'p' AND n.nspname = c.table_schema AND r.relname = c.table_name AND a.attname = c.column_name),
       COALESCE(c.numeric_precision, 0)::int, COALESCE(c.numeric_scale, 0)::int, COALESCE(c.remarks, '')
FROM svv_columns c
WHERE c.table_schema = $1 AND c.table_name = $2
ORDER BY c.ordinal_position`

// Columns describes a table's columns. An unknown table is a QueryError.
func (c *Connector) Columns(ctx context.Context, ref connectors.TableRef) ([]connectors.Column, error) {
	schema := ref.Schema
	if schema == "" {
		schema = "public"
	}
	sql := columnsSQL
	if c.redshift {
		sql = redshiftColumnsSQL
	}
	cols, err := rowsOf(ctx, c, sql, func(row pgx.CollectableRow) (connectors.Column, error) {
		var col connectors.Column
		var typname string
		var precision, scale int
		err := row.Scan(&col.Name, &col.SourceType, &typname, &col.Nullable, &col.Ordinal, &col.PrimaryKey, &precision, &scale, &col.Comment)
		if c.redshift {
			typname = redshiftTypname(typname)
		}
		col.Type = typeOf(typname, precision, scale)
		return col, err
	}, schema, ref.Name)
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, &connectors.QueryError{Kind: connectors.QueryErrNotFound, Message: fmt.Sprintf("table %s.%s does not exist or is not readable", schema, ref.Name)}
	}
	return cols, nil
}

// redshiftTypname turns svv_columns' SQL type names into pg_type names.
func redshiftTypname(dataType string) string {
	switch dataType {
	case "smallint":
		return "int2"
	case "integer":
		return "int4"
	case "bigint":
		return "int8"
	case "real":
		return "float4"
	case "double precision":
		return "float8"
	case "boolean":
		return "bool"
	case "timestamp without time zone":
		return "timestamp"
	case "timestamp with time zone":
		return "timestamptz"
	case "time without time zone":
		return "time"
	case "time with time zone":
		return "timetz"
	case "character varying", "character":
		return "varchar"
	case "super":
		return "json"
	case "varbyte", "binary varying":
		return "bytea"
	}
	return dataType
}
