package snowflake

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

const (
	defaultBatchSize = 10_000
	defaultChunkRows = 1_000_000
)

// Read streams a table's rows to sink in batches from one query; the driver
// downloads result chunks a few at a time, so memory holds a batch and the
// chunks in flight. With OrderBy the query sorts by those columns and every
// ChunkRows rows a ChunkSink learns the last key delivered, so a read can
// resume after it. Chunks are not separate queries: each would scan and sort
// the table again on a billed warehouse.
func (c *Connector) Read(ctx context.Context, req connectors.ReadRequest, sink connectors.RowSink) (connectors.ReadStats, error) {
	var stats connectors.ReadStats
	if req.BatchSize <= 0 {
		req.BatchSize = defaultBatchSize
	}
	if req.ChunkRows <= 0 {
		req.ChunkRows = defaultChunkRows
	}
	if len(req.Columns) == 0 {
		cols, err := c.Columns(ctx, req.Table)
		if err != nil {
			return stats, err
		}
		req.Columns = cols
	}
	if req.Table.Schema == "" {
		req.Table.Schema = c.cfg.Schema
	}
	query, args, err := readSQL(req)
	if err != nil {
		return stats, err
	}
	conn, err := c.conn(ctx)
	if err != nil {
		return stats, c.queryError(err)
	}
	defer conn.Close()
	// A query may have left its short statement timeout on this session.
	if _, err := conn.ExecContext(ctx, statementTimeoutSQL(0)); err != nil {
		return stats, c.queryError(err)
	}
	qctx, err := queryContext(ctx)
	if err != nil {
		return stats, err
	}
	rows, err := conn.QueryContext(qctx, query, args...)
	if err != nil {
		return stats, c.queryError(fmt.Errorf("read %s: %w", req.Table, err))
	}
	defer rows.Close()
	_, colInfo, err := resultColumns(rows)
	if err != nil {
		return stats, c.queryError(err)
	}
	w := newRowWriter(ctx, req, sink, &stats)
	for rows.Next() {
		values, err := scanRow(rows, colInfo)
		if err != nil {
			return stats, c.queryError(err)
		}
		if err := w.add(values); err != nil {
			return stats, err
		}
	}
	if err := rows.Err(); err != nil {
		return stats, c.queryError(fmt.Errorf("read %s: %w", req.Table, err))
	}
	return stats, w.finish()
}

// readSQL builds the read statement. The resume key is spelled out column by
// column (k1 > ? OR (k1 = ? AND k2 > ?) …), each value converted to its
// column's type by cursorArg.
func readSQL(req connectors.ReadRequest) (string, []any, error) {
	column := func(name string) (connectors.Column, error) {
		i := slices.IndexFunc(req.Columns, func(c connectors.Column) bool { return c.Name == name })
		if i < 0 {
			return connectors.Column{}, fmt.Errorf("read %s: column %q is not among the columns read", req.Table, name)
		}
		return req.Columns[i], nil
	}
	var args []any
	compare := func(col connectors.Column, op string, v any) (string, error) {
		expr, arg, err := cursorArg(col, v)
		if err != nil {
			return "", fmt.Errorf("read %s: value for %s: %w", req.Table, col.Name, err)
		}
		args = append(args, arg)
		return quoteIdent(col.Name) + op + expr, nil
	}
	var where []string
	if req.CursorField != "" && req.CursorAfter != nil {
		col, err := column(req.CursorField)
		if err != nil {
			return "", nil, err
		}
		term, err := compare(col, " > ", req.CursorAfter)
		if err != nil {
			return "", nil, err
		}
		where = append(where, term)
	}
	keys := make([]connectors.Column, len(req.OrderBy))
	for i, name := range req.OrderBy {
		col, err := column(name)
		if err != nil {
			return "", nil, err
		}
		keys[i] = col
	}
	if len(req.ResumeAfter) > 0 {
		resume, err := resumeTerm(req, keys, compare)
		if err != nil {
			return "", nil, err
		}
		where = append(where, resume)
	}
	names := make([]string, len(req.Columns))
	for i, col := range req.Columns {
		names[i] = quoteIdent(col.Name)
	}
	schema := req.Table.Schema
	if schema == "" {
		schema = "PUBLIC"
	}
	query := fmt.Sprintf("SELECT %s FROM %s.%s", strings.Join(names, ", "), quoteIdent(schema), quoteIdent(req.Table.Name))
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	if len(keys) > 0 {
		order := make([]string, len(keys))
		for i, k := range keys {
			order[i] = quoteIdent(k.Name)
		}
		query += " ORDER BY " + strings.Join(order, ", ")
	}
	return query, args, nil
}

// resumeTerm is the condition for rows after the resume key.
func resumeTerm(req connectors.ReadRequest, keys []connectors.Column, compare func(connectors.Column, string, any) (string, error)) (string, error) {
	if len(req.ResumeAfter) != len(keys) {
		return "", fmt.Errorf("read %s: resume key has %d values for %d order columns", req.Table, len(req.ResumeAfter), len(keys))
	}
	alternatives := make([]string, len(keys))
	for i := range keys {
		terms := make([]string, i+1)
		for j := 0; j <= i; j++ {
			op := " = "
			if j == i {
				op = " > "
			}
			term, err := compare(keys[j], op, req.ResumeAfter[j])
			if err != nil {
				return "", err
			}
			terms[j] = term
		}
		alternatives[i] = "(" + strings.Join(terms, " AND ") + ")"
	}
	return "(" + strings.Join(alternatives, " OR ") + ")", nil
}
