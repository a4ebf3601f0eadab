package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

var _ connectors.Reader = (*Connector)(nil)

const (
	defaultBatchSize = 10_000
	defaultChunkRows = 100_000
)

// quoteIdent quotes a MySQL identifier.
func quoteIdent(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// Read streams a table's rows to sink in batches, in a read-only session.
// With OrderBy it reads in ordered chunks (keyset pagination) so a read can
// resume after the last key delivered; without it, in one streaming query.
func (c *Connector) Read(ctx context.Context, req connectors.ReadRequest, sink connectors.RowSink) (connectors.ReadStats, error) {
	if req.BatchSize <= 0 {
		req.BatchSize = defaultBatchSize
	}
	if req.ChunkRows <= 0 {
		req.ChunkRows = defaultChunkRows
	}
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return connectors.ReadStats{}, &connectors.QueryError{Kind: connectors.QueryErrConnection, Message: c.creds.Redact(err.Error())}
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET SESSION TRANSACTION READ ONLY"); err != nil {
		return connectors.ReadStats{}, c.queryError(err)
	}
	var stats connectors.ReadStats
	after := req.ResumeAfter
	for {
		query, args := selectSQL(req, after)
		n, last, err := c.readChunk(ctx, conn, req, query, args, sink, &stats)
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

func selectSQL(req connectors.ReadRequest, after []any) (string, []any) {
	cols := make([]string, len(req.Columns))
	for i, c := range req.Columns {
		cols[i] = quoteIdent(c.Name)
	}
	var where []string
	var args []any
	if req.CursorField != "" && req.CursorAfter != nil {
		where = append(where, quoteIdent(req.CursorField)+" > ?")
		args = append(args, req.CursorAfter)
	}
	order := make([]string, len(req.OrderBy))
	for i, o := range req.OrderBy {
		order[i] = quoteIdent(o)
	}
	if len(after) > 0 {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(after)), ", ")
		where = append(where, fmt.Sprintf("(%s) > (%s)", strings.Join(order, ", "), marks))
		args = append(args, after...)
	}
	if len(req.UpTo) > 0 && len(order) > 0 {
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(req.UpTo)), ", ")
		where = append(where, fmt.Sprintf("(%s) <= (%s)", strings.Join(order[:len(req.UpTo)], ", "), marks))
		args = append(args, req.UpTo...)
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + quoteIdent(req.Table.Schema) + "." + quoteIdent(req.Table.Name)
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if len(order) > 0 {
		q += fmt.Sprintf(" ORDER BY %s LIMIT %d", strings.Join(order, ", "), req.ChunkRows)
	}
	return q, args
}

func (c *Connector) readChunk(ctx context.Context, conn *sql.Conn, req connectors.ReadRequest, query string, args []any, sink connectors.RowSink, stats *connectors.ReadStats) (int64, []any, error) {
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, nil, c.queryError(err)
	}
	defer rows.Close()
	types := make([]connectors.Type, len(req.Columns))
	for i, col := range req.Columns {
		types[i] = col.Type
	}
	keyIdx := make([]int, len(req.OrderBy))
	for i, k := range req.OrderBy {
		keyIdx[i] = slices.IndexFunc(req.Columns, func(c connectors.Column) bool { return c.Name == k })
	}
	cursor := slices.IndexFunc(req.Columns, func(c connectors.Column) bool { return c.Name == req.CursorField })
	var n int64
	var last []any
	batch := make([][]any, 0, req.BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := sink.WriteBatch(ctx, batch)
		batch = make([][]any, 0, req.BatchSize)
		return err
	}
	for rows.Next() {
		values := make([]any, len(types))
		ptrs := make([]any, len(types))
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return n, nil, c.queryError(err)
		}
		for i := range values {
			if b, ok := values[i].([]byte); ok {
				stats.Bytes += int64(len(b))
			}
			values[i] = normalize(values[i], types[i])
		}
		if cursor >= 0 && values[cursor] != nil && connectors.CursorGreater(values[cursor], stats.MaxCursor) {
			stats.MaxCursor = values[cursor]
		}
		batch = append(batch, values)
		n++
		stats.Rows++
		if len(keyIdx) > 0 {
			last = make([]any, len(keyIdx))
			for i, k := range keyIdx {
				last[i] = values[k]
			}
		}
		if len(batch) >= req.BatchSize {
			if err := flush(); err != nil {
				return n, nil, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, nil, c.queryError(err)
	}
	return n, last, flush()
}
