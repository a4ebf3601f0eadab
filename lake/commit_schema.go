package lake

import (
	"context"
	"fmt"

	"github.com/google/uuid"
)

// prepareTable finds or creates the request's schema and table and brings
// the table's columns in line with the source's: new columns are added and
// widened ones get a new version of their ducklake_column rows.
func (ct *commitTx) prepareTable(ctx context.Context, req CommitRequest) (*lakeTable, columnPlan, error) {
	tables, err := ct.l.loadTables(ctx, ct.tx, ct.prev.ID)
	if err != nil {
		return nil, columnPlan{}, err
	}
	table := findTable(tables, req.Schema, req.Table)
	maxID, err := ct.l.maxColumnID(ctx, ct.tx, table)
	if err != nil {
		return nil, columnPlan{}, err
	}
	plan, err := planColumns(req.Schema+"."+req.Table, table, maxID, req.Columns)
	if err != nil {
		return nil, plan, err
	}
	if table == nil {
		table, err = ct.createTable(ctx, req.Schema, req.Table)
		if err != nil {
			return nil, plan, err
		}
	} else if err := ct.checkInlined(ctx, table, req.Method); err != nil {
		return nil, plan, err
	} else if len(plan.Added)+len(plan.Widened) > 0 {
		ct.alter(table.ID)
		ct.change("altered_table", table.ID)
	}
	for _, c := range plan.Widened {
		// A new version of the column and its element, same ids, new type.
		if err := ct.exec(ctx, `UPDATE {S}.ducklake_column SET end_snapshot = $1
			WHERE table_id = $2 AND end_snapshot IS NULL AND column_id = ANY($3)`, ct.id, table.ID, c.fieldIDs()); err != nil {
			return nil, plan, err
		}
		if err := ct.insertColumn(ctx, table.ID, c, nil); err != nil {
			return nil, plan, err
		}
	}
	for _, c := range plan.Added {
		if err := ct.insertColumn(ctx, table.ID, c, nil); err != nil {
			return nil, plan, err
		}
	}
	return table, plan, nil
}

// createTable creates a table (and its schema if needed) with a path derived
// from its name, as the ducklake extension does.
func (ct *commitTx) createTable(ctx context.Context, schemaName, name string) (*lakeTable, error) {
	schemas, err := ct.l.loadSchemas(ctx, ct.tx, ct.prev.ID)
	if err != nil {
		return nil, err
	}
	schema := schemas[schemaName]
	if schema == nil {
		path := dirName(schemaName) + "/"
		schema = &lakeSchema{ID: ct.catalogID(), Name: schemaName, Path: &path, Relative: true}
		if err := ct.exec(ctx, `INSERT INTO {S}.ducklake_schema VALUES ($1, $2, $3, NULL, $4, $5, true)`,
			schema.ID, uuid.Must(uuid.NewV7()), ct.id, schemaName, path); err != nil {
			return nil, err
		}
		ct.schemaChanged = true
		ct.change("created_schema", quoteName(schemaName))
	}
	path := dirName(name) + "/"
	t := &lakeTable{ID: ct.catalogID(), Name: name, Schema: schema, Path: &path, Relative: true}
	if err := ct.exec(ctx, `INSERT INTO {S}.ducklake_table VALUES ($1, $2, $3, NULL, $4, $5, $6, true)`,
		t.ID, uuid.Must(uuid.NewV7()), ct.id, schema.ID, name, path); err != nil {
		return nil, err
	}
	ct.alter(t.ID)
	ct.change("created_table", quoteName(schemaName)+"."+quoteName(name))
	return t, nil
}

// insertColumn writes a column version and its element. Like the ducklake
// extension, column_order is the column id, the default is the literal NULL
// and every column allows NULLs (a column the source drops keeps getting them).
func (ct *commitTx) insertColumn(ctx context.Context, tableID int64, c FileColumn, parent *int64) error {
	err := ct.exec(ctx, `INSERT INTO {S}.ducklake_column VALUES ($1, $2, NULL, $3, $1, $4, $5, NULL, 'NULL', true, $6, 'literal', 'duckdb')`,
		c.FieldID, ct.id, tableID, c.Name, ducklakeTypeName(c.Type), parent)
	if err != nil {
		return fmt.Errorf("column %s: %w", c.Name, err)
	}
	if c.Elem != nil {
		id := c.FieldID
		return ct.insertColumn(ctx, tableID, *c.Elem, &id)
	}
	return nil
}
