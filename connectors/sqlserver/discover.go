package sqlserver

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// tablesSQL lists user tables, views and external tables. sys.objects only
// shows objects the user has some permission on. The row estimate is the sum
// of the heap's or clustered index's partition counts (index 0 or 1), which
// SQL Server keeps current without a scan; views have none.
const tablesSQL = `
SELECT s.name, o.name, RTRIM(o.type),
       (SELECT SUM(p.rows) FROM sys.partitions p
        WHERE p.object_id = o.object_id AND p.index_id IN (0, 1)),
       CAST(ep.value AS nvarchar(4000))
FROM sys.objects o
JOIN sys.schemas s ON s.schema_id = o.schema_id
LEFT JOIN sys.extended_properties ep
       ON ep.class = 1 AND ep.major_id = o.object_id AND ep.minor_id = 0 AND ep.name = N'MS_Description'
WHERE o.type IN ('U', 'V', 'ET') AND o.is_ms_shipped = 0
ORDER BY s.name, o.name`

// Tables lists the tables and views the user can see.
func (c *Connector) Tables(ctx context.Context) ([]connectors.Table, error) {
	var out []connectors.Table
	err := c.scanRows(ctx, tablesSQL, nil, func(rows *sql.Rows) error {
		var t connectors.Table
		var objType string
		var comment sql.NullString
		if err := rows.Scan(&t.Schema, &t.Name, &objType, &t.RowEstimate, &comment); err != nil {
			return err
		}
		t.Kind = tableKind(objType)
		if t.Kind == connectors.TableKindView {
			t.RowEstimate = nil // an indexed view's rows are a copy, not its own table
		}
		t.Comment = comment.String
		out = append(out, t)
		return nil
	})
	return out, err
}

func tableKind(objType string) string {
	switch objType {
	case "V":
		return connectors.TableKindView
	case "ET":
		return connectors.TableKindExternal
	}
	return connectors.TableKindTable
}

// columnsSQL describes one table's columns. An alias type (CREATE TYPE … FROM)
// is shown by its own name and mapped by its base type; the primary key comes
// from the index that enforces it.
const columnsSQL = `
SELECT c.name, t.name, COALESCE(bt.name, t.name), c.max_length, c.precision, c.scale, c.is_nullable,
       CAST(CASE WHEN pk.column_id IS NULL THEN 0 ELSE 1 END AS bit),
       CAST(ep.value AS nvarchar(4000))
FROM sys.columns c
JOIN sys.types t ON t.user_type_id = c.user_type_id
LEFT JOIN sys.types bt
       ON t.is_user_defined = 1 AND t.is_assembly_type = 0 AND bt.user_type_id = t.system_type_id
LEFT JOIN (SELECT ic.object_id, ic.column_id
           FROM sys.indexes i
           JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
           WHERE i.is_primary_key = 1) pk
       ON pk.object_id = c.object_id AND pk.column_id = c.column_id
LEFT JOIN sys.extended_properties ep
       ON ep.class = 1 AND ep.major_id = c.object_id AND ep.minor_id = c.column_id AND ep.name = N'MS_Description'
WHERE c.object_id = OBJECT_ID(QUOTENAME(@p1) + N'.' + QUOTENAME(@p2))
ORDER BY c.column_id`

// Columns describes a table's columns; an empty schema means dbo.
func (c *Connector) Columns(ctx context.Context, ref connectors.TableRef) ([]connectors.Column, error) {
	schema := ref.Schema
	if schema == "" {
		schema = "dbo"
	}
	var out []connectors.Column
	err := c.scanRows(ctx, columnsSQL, []any{schema, ref.Name}, func(rows *sql.Rows) error {
		var col connectors.Column
		var declared, base string
		var maxLength, precision, scale int
		var comment sql.NullString
		if err := rows.Scan(&col.Name, &declared, &base, &maxLength, &precision, &scale, &col.Nullable, &col.PrimaryKey, &comment); err != nil {
			return err
		}
		col.SourceType = sourceType(declared, maxLength, precision, scale)
		col.Type = typeOf(base, precision, scale)
		// column_id keeps gaps where columns were dropped; Ordinal is the position.
		col.Ordinal = len(out) + 1
		col.Comment = comment.String
		out = append(out, col)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, &connectors.QueryError{Kind: connectors.QueryErrNotFound,
			Message: fmt.Sprintf("table %s.%s does not exist or is not readable", schema, ref.Name)}
	}
	return out, nil
}

// scanRows runs a catalog query and hands each row to scan.
func (c *Connector) scanRows(ctx context.Context, query string, args []any, scan func(*sql.Rows) error) error {
	conn, err := c.conn(ctx)
	if err != nil {
		return c.queryError(err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, query, args...)
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

// quoteIdent quotes a T-SQL identifier with brackets, doubling any ']'.
func quoteIdent(name string) string {
	return "[" + strings.ReplaceAll(name, "]", "]]") + "]"
}
