package snowflake

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// INFORMATION_SCHEMA without a database name is the connection's database.
// Its views only show objects the current role has privileges on.
const tablesSQL = `
SELECT table_schema, table_name, table_type, row_count, comment
FROM information_schema.tables
WHERE table_schema <> 'INFORMATION_SCHEMA'
ORDER BY table_schema, table_name`

// Tables lists the tables and views the role can see in the database.
func (c *Connector) Tables(ctx context.Context) ([]connectors.Table, error) {
	var out []connectors.Table
	err := c.scanRows(ctx, tablesSQL, nil, func(rows *sql.Rows) error {
		var t connectors.Table
		var tableType string
		var comment sql.NullString
		if err := rows.Scan(&t.Schema, &t.Name, &tableType, &t.RowEstimate, &comment); err != nil {
			return err
		}
		t.Kind = tableKind(tableType)
		if t.Kind == connectors.TableKindView {
			t.RowEstimate = nil
		}
		t.Comment = comment.String
		out = append(out, t)
		return nil
	})
	return out, err
}

func tableKind(tableType string) string {
	switch tableType {
	case "VIEW":
		return connectors.TableKindView
	case "MATERIALIZED VIEW":
		return connectors.TableKindMaterializedView
	case "EXTERNAL TABLE":
		return connectors.TableKindExternal
	}
	return connectors.TableKindTable // BASE TABLE, TEMPORARY TABLE, EVENT TABLE…
}

const columnsSQL = `
SELECT column_name, data_type, COALESCE(numeric_precision, 0), COALESCE(numeric_scale, 0),
       COALESCE(datetime_precision, 0), COALESCE(character_maximum_length, 0), is_nullable = 'YES', comment
FROM information_schema.columns
WHERE table_schema = ? AND table_name = ?
ORDER BY ordinal_position`

// Columns describes a table's columns. Names are matched as stored and then,
// failing that, upper-cased, the way Snowflake resolves unquoted names; an
// empty schema means the configured one (or PUBLIC).
func (c *Connector) Columns(ctx context.Context, ref connectors.TableRef) ([]connectors.Column, error) {
	if ref.Schema == "" {
		ref.Schema = c.cfg.Schema
		if ref.Schema == "" {
			ref.Schema = "PUBLIC"
		}
	}
	cols, err := c.columns(ctx, ref)
	if err == nil && len(cols) == 0 {
		ref = connectors.TableRef{Schema: strings.ToUpper(ref.Schema), Name: strings.ToUpper(ref.Name)}
		cols, err = c.columns(ctx, ref)
	}
	if err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, &connectors.QueryError{Kind: connectors.QueryErrNotFound,
			Message: fmt.Sprintf("table %s does not exist or is not readable", ref)}
	}
	// Snowflake's primary keys are declarations it does not enforce; when
	// they cannot be listed the columns are still right, just unmarked.
	pk, err := c.primaryKey(ctx, ref)
	if err != nil {
		pk = nil
	}
	for i := range cols {
		cols[i].PrimaryKey = pk[cols[i].Name]
	}
	return cols, nil
}

func (c *Connector) columns(ctx context.Context, ref connectors.TableRef) ([]connectors.Column, error) {
	var out []connectors.Column
	err := c.scanRows(ctx, columnsSQL, []any{ref.Schema, ref.Name}, func(rows *sql.Rows) error {
		var col connectors.Column
		var dataType string
		var precision, scale, timePrecision, length int
		var comment sql.NullString
		if err := rows.Scan(&col.Name, &dataType, &precision, &scale, &timePrecision, &length, &col.Nullable, &comment); err != nil {
			return err
		}
		col.SourceType = sourceType(dataType, precision, scale, timePrecision, length)
		col.Type = typeOf(dataType, precision, scale)
		col.Ordinal = len(out) + 1
		col.Comment = comment.String
		out = append(out, col)
		return nil
	})
	return out, err
}

// primaryKeySQL lists a table's primary-key columns. Snowflake records (but
// does not enforce) primary keys; SHOW needs no warehouse.
func primaryKeySQL(ref connectors.TableRef) string {
	return "SHOW PRIMARY KEYS IN TABLE " + quoteIdent(ref.Schema) + "." + quoteIdent(ref.Name)
}

func (c *Connector) primaryKey(ctx context.Context, ref connectors.TableRef) (map[string]bool, error) {
	pk := map[string]bool{}
	nameIdx := -1
	err := c.scanRows(ctx, primaryKeySQL(ref), nil, func(rows *sql.Rows) error {
		names, err := rows.Columns()
		if err != nil {
			return err
		}
		values := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i, n := range names {
			ptrs[i] = &values[i]
			if n == "column_name" {
				nameIdx = i
			}
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if nameIdx >= 0 {
			pk[fmt.Sprint(values[nameIdx])] = true
		}
		return nil
	})
	return pk, err
}

// scanRows runs a statement and hands each row to scan.
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

// quoteIdent quotes a Snowflake identifier, doubling any double quote, so
// its case is kept as stored.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
