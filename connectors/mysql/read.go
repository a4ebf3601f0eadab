package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
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
// Rows are taken from the driver as it decodes them, without database/sql's
// copies, into batches (typed columns for a connectors.ColumnSink, see
// newBatcher) handed to the sink in a goroutine of its own while the next
// batch is read.
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
	pipe := connectors.NewBatchPipe(ctx, sink)
	stats, err := c.readChunks(ctx, conn, req, sink, pipe)
	if sinkErr := pipe.Close(); err == nil {
		err = sinkErr
	}
	return stats, err
}

// readChunks reads the table, in ordered chunks when req has OrderBy,
// handing batches and chunk ends to the pipe.
func (c *Connector) readChunks(ctx context.Context, conn *sql.Conn, req connectors.ReadRequest, sink connectors.RowSink, pipe *connectors.BatchPipe) (connectors.ReadStats, error) {
	var stats connectors.ReadStats
	_, typed := sink.(connectors.ColumnSink)
	after := req.ResumeAfter
	for {
		query, args := selectSQL(req, after)
		b := newBatcher(req, typed, pipe, &stats)
		if err := c.readChunk(ctx, conn, query, args, b); err != nil {
			return stats, fmt.Errorf("read %s: %w", req.Table, err)
		}
		if len(req.OrderBy) == 0 {
			return stats, nil
		}
		if b.Rows > 0 {
			pipe.ChunkDone(b.LastKey)
		}
		if b.Rows < int64(req.ChunkRows) {
			return stats, nil
		}
		after = b.LastKey
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

// readChunk runs one SELECT and puts its rows into b, flushing the last batch.
func (c *Connector) readChunk(ctx context.Context, conn *sql.Conn, query string, args []any, b *batcher) error {
	err := c.queryDriver(ctx, conn, query, args, func(rows driver.Rows) error {
		if n := len(rows.Columns()); n != len(b.types) {
			return fmt.Errorf("the query returned %d columns for %d", n, len(b.types))
		}
		vals := make([]driver.Value, len(b.types))
		for {
			if err := rows.Next(vals); err == io.EOF {
				return nil
			} else if err != nil {
				return c.queryError(err)
			}
			if err := b.add(vals); err != nil {
				return err
			}
		}
	})
	if err != nil {
		return err
	}
	b.Flush()
	return nil
}
