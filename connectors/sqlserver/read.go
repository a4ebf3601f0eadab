package sqlserver

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

const (
	defaultBatchSize = 10_000
	defaultChunkRows = 100_000
)

// Read streams a table's rows to sink in batches. With OrderBy it reads in
// ordered chunks of ChunkRows (keyset pagination: SELECT TOP (n) … WHERE key
// > last ORDER BY key), telling a ChunkSink where each chunk ended, so a
// read can resume after the last key delivered; without it, in one
// streaming query. The driver decodes rows as they arrive, so memory holds
// one batch.
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
	plan, err := planRead(req)
	if err != nil {
		return stats, err
	}
	conn, err := c.conn(ctx)
	if err != nil {
		return stats, c.queryError(err)
	}
	defer conn.Close()
	after := req.ResumeAfter
	for {
		query, args, err := plan.sql(after)
		if err != nil {
			return stats, err
		}
		n, last, err := c.readChunk(ctx, conn, plan, query, args, sink, &stats)
		if err != nil {
			return stats, fmt.Errorf("read %s: %w", req.Table, err)
		}
		if len(req.OrderBy) == 0 {
			return stats, nil
		}
		if cs, ok := sink.(connectors.ChunkSink); ok && n > 0 {
			if err := cs.ChunkDone(ctx, last); err != nil {
				return stats, err
			}
		}
		if n < int64(req.ChunkRows) {
			return stats, nil
		}
		after = last
	}
}

// readPlan is a read request with its column positions resolved.
type readPlan struct {
	req       connectors.ReadRequest
	cursorIdx int   // position of the cursor field, or -1
	keyIdx    []int // positions of the OrderBy columns
}

func planRead(req connectors.ReadRequest) (*readPlan, error) {
	find := func(name string) int {
		return slices.IndexFunc(req.Columns, func(c connectors.Column) bool { return c.Name == name })
	}
	p := &readPlan{req: req, cursorIdx: -1}
	if req.CursorField != "" {
		if p.cursorIdx = find(req.CursorField); p.cursorIdx < 0 {
			return nil, fmt.Errorf("read %s: cursor field %q is not among the columns read", req.Table, req.CursorField)
		}
	}
	for _, k := range req.OrderBy {
		i := find(k)
		if i < 0 {
			return nil, fmt.Errorf("read %s: order column %q is not among the columns read", req.Table, k)
		}
		p.keyIdx = append(p.keyIdx, i)
	}
	if len(req.ResumeAfter) > 0 && len(req.ResumeAfter) != len(req.OrderBy) {
		return nil, fmt.Errorf("read %s: resume key has %d values for %d order columns", req.Table, len(req.ResumeAfter), len(req.OrderBy))
	}
	return p, nil
}

// sql builds one chunk's statement: the cursor bound, then the resume key
// bound spelled out column by column (T-SQL has no row-value comparison:
// k1 > v1 OR (k1 = v1 AND k2 > v2) …).
func (p *readPlan) sql(after []any) (string, []any, error) {
	req := p.req
	var args []any
	param := func(col connectors.Column, v any) (string, error) {
		typed, err := cursorParam(col.Type, v)
		if err != nil {
			return "", fmt.Errorf("read %s: value for %s: %w", req.Table, col.Name, err)
		}
		args = append(args, typed)
		return castTo(fmt.Sprintf("@p%d", len(args)), col.SourceType), nil
	}
	var where []string
	if p.cursorIdx >= 0 && req.CursorAfter != nil {
		col := req.Columns[p.cursorIdx]
		mark, err := param(col, req.CursorAfter)
		if err != nil {
			return "", nil, err
		}
		where = append(where, quoteIdent(col.Name)+" > "+mark)
	}
	if len(after) > 0 {
		var alternatives []string
		for i := range after {
			var terms []string
			for j := 0; j <= i; j++ {
				col := req.Columns[p.keyIdx[j]]
				mark, err := param(col, after[j])
				if err != nil {
					return "", nil, err
				}
				op := " = "
				if j == i {
					op = " > "
				}
				terms = append(terms, quoteIdent(col.Name)+op+mark)
			}
			alternatives = append(alternatives, "("+strings.Join(terms, " AND ")+")")
		}
		where = append(where, "("+strings.Join(alternatives, " OR ")+")")
	}
	names := make([]string, len(req.Columns))
	for i, col := range req.Columns {
		names[i] = quoteIdent(col.Name)
	}
	schema := req.Table.Schema
	if schema == "" {
		schema = "dbo"
	}
	top := ""
	if len(p.keyIdx) > 0 {
		top = fmt.Sprintf("TOP (%d) ", req.ChunkRows)
	}
	q := fmt.Sprintf("SELECT %s%s FROM %s.%s", top, strings.Join(names, ", "), quoteIdent(schema), quoteIdent(req.Table.Name))
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if len(p.keyIdx) > 0 {
		keys := make([]string, len(p.keyIdx))
		for i, k := range p.keyIdx {
			keys[i] = quoteIdent(req.Columns[k].Name)
		}
		q += " ORDER BY " + strings.Join(keys, ", ")
	}
	return q, args, nil
}

// readChunk runs one statement and streams its rows to sink; it returns how
// many rows it read and the key of the last one.
func (c *Connector) readChunk(ctx context.Context, conn *sql.Conn, p *readPlan, query string, args []any, sink connectors.RowSink, stats *connectors.ReadStats) (int64, []any, error) {
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, nil, c.queryError(err)
	}
	defer rows.Close()
	colTypes, err := rows.ColumnTypes()
	if err != nil {
		return 0, nil, c.queryError(err)
	}
	typeNames := make([]string, len(colTypes))
	for i, ct := range colTypes {
		typeNames[i] = ct.DatabaseTypeName()
	}
	var n int64
	var last []any
	batch := make([][]any, 0, p.req.BatchSize)
	for rows.Next() {
		values, err := scanRow(rows, typeNames)
		if err != nil {
			return n, nil, c.queryError(err)
		}
		n++
		stats.Rows++
		stats.Bytes += rowSize(values)
		if p.cursorIdx >= 0 && values[p.cursorIdx] != nil && connectors.CursorGreater(values[p.cursorIdx], stats.MaxCursor) {
			stats.MaxCursor = values[p.cursorIdx]
		}
		if len(p.keyIdx) > 0 {
			last = make([]any, len(p.keyIdx))
			for i, k := range p.keyIdx {
				last[i] = values[k]
			}
		}
		if batch = append(batch, values); len(batch) == p.req.BatchSize {
			if err := sink.WriteBatch(ctx, batch); err != nil {
				return n, nil, fmt.Errorf("write batch: %w", err)
			}
			batch = batch[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return n, nil, c.queryError(err)
	}
	if len(batch) > 0 {
		if err := sink.WriteBatch(ctx, batch); err != nil {
			return n, nil, fmt.Errorf("write batch: %w", err)
		}
	}
	return n, last, nil
}

// plainType matches the declared types sourceType renders, e.g. "int",
// "decimal(12,3)", "nvarchar(max)", "datetime2(7)".
var plainType = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\((\d+|max)(,\d+)?\))?$`)

// castTo converts a parameter to the column's own type, so the comparison
// can use the column's index instead of converting every row's value. A
// type that does not look like a plain T-SQL type (an alias type's name is
// user-chosen) is left to implicit conversion rather than spliced into SQL.
func castTo(param, declared string) string {
	if !plainType.MatchString(declared) {
		return param
	}
	return fmt.Sprintf("CAST(%s AS %s)", param, declared)
}

// rowSize approximates a row's size in bytes for read statistics.
func rowSize(values []any) int64 {
	var n int64
	for _, v := range values {
		switch x := v.(type) {
		case string:
			n += int64(len(x))
		case []byte:
			n += int64(len(x))
		case connectors.Decimal:
			n += int64(len(x))
		case nil:
		default:
			n += 8
		}
	}
	return n
}
