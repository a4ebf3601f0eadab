package mysql

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sluice-dev/sluice/connectors"
)

// systemSchemas are never listed: they belong to the server, not the user.
const systemSchemas = "('information_schema', 'performance_schema', 'mysql', 'sys')"

const tablesSQL = `
SELECT table_schema, table_name,
       CASE table_type WHEN 'VIEW' THEN 'view' WHEN 'SYSTEM VIEW' THEN 'view' ELSE 'table' END,
       table_rows, COALESCE(table_comment, '')
FROM information_schema.tables
WHERE table_schema NOT IN ` + systemSchemas + `
  AND (? OR table_schema = ?)
ORDER BY table_schema, table_name`

// Tables lists the tables and views of the connection's database, or of
// every database the user can see when the integration sets all_databases:
// a MySQL user often sees other applications' databases, which a user who
// named one did not ask for.
func (c *Connector) Tables(ctx context.Context) ([]connectors.Table, error) {
	var out []connectors.Table
	all := c.creds.Bool("all_databases", false) || c.cfg.DBName == ""
	err := c.scanRows(ctx, tablesSQL, []any{all, c.cfg.DBName}, func(rows *sql.Rows) error {
		var t connectors.Table
		if err := rows.Scan(&t.Schema, &t.Name, &t.Kind, &t.RowEstimate, &t.Comment); err != nil {
			return err
		}
		if t.Kind == connectors.TableKindView {
			t.RowEstimate = nil // views have no row count of their own
		}
		out = append(out, t)
		return nil
	})
	return out, err
}

// columnsSQL reports MariaDB's JSON columns (LONGTEXT with a json_valid
// check) as json, like MySQL's native JSON type.
const columnsSQL = `
SELECT c.column_name, c.column_type,
       CASE WHEN EXISTS (SELECT 1 FROM information_schema.check_constraints k
                         WHERE k.constraint_schema = c.table_schema AND k.table_name = c.table_name
                           AND k.check_clause = CONCAT('json_valid(` + "`" + `', c.column_name, '` + "`" + `)'))
            THEN 'json' ELSE c.data_type END,
       c.is_nullable = 'YES', c.ordinal_position, c.column_key = 'PRI',
       COALESCE(c.numeric_precision, 0), COALESCE(c.numeric_scale, 0), COALESCE(c.column_comment, '')
FROM information_schema.columns c
WHERE c.table_schema = ? AND c.table_name = ?
ORDER BY c.ordinal_position`

// Columns describes a table's columns; an empty schema means the connection's database.
func (c *Connector) Columns(ctx context.Context, ref connectors.TableRef) ([]connectors.Column, error) {
	schema := ref.Schema
	if schema == "" {
		schema = c.cfg.DBName
	}
	var out []connectors.Column
	err := c.scanRows(ctx, columnsSQL, []any{schema, ref.Name}, func(rows *sql.Rows) error {
		var col connectors.Column
		var dataType string
		var precision, scale int
		if err := rows.Scan(&col.Name, &col.SourceType, &dataType, &col.Nullable, &col.Ordinal, &col.PrimaryKey, &precision, &scale, &col.Comment); err != nil {
			return err
		}
		col.Type = typeOf(dataType, col.SourceType, precision, scale)
		out = append(out, col)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, &connectors.QueryError{Kind: connectors.QueryErrNotFound, Message: fmt.Sprintf("table %s.%s does not exist or is not readable", schema, ref.Name)}
	}
	return out, nil
}

// scanRows runs a catalog query and hands each row to scan.
func (c *Connector) scanRows(ctx context.Context, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := c.db.QueryContext(ctx, query, args...)
	if err != nil {
		return c.queryError(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return c.queryError(err)
		}
	}
	if err := rows.Err(); err != nil {
		return c.queryError(err)
	}
	return nil
}
