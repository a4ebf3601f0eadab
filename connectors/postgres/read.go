package postgres

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
)

var _ connectors.Reader = (*Connector)(nil)

const (
	defaultBatchSize = 10_000
	defaultChunkRows = 1_000_000
)

// Read streams a table's rows to sink with bounded memory. Postgres rows
// come through COPY … TO STDOUT (FORMAT binary); Redshift, which has no
// binary COPY out, through a plain query. With OrderBy the table is read in
// ordered chunks so a read can resume after the last key it delivered.
// Common types are decoded straight into typed columns, handed to a
// connectors.ColumnSink as they are (to other sinks as rows), in a goroutine
// of the sink's own while the next batch is decoded.
func (c *Connector) Read(ctx context.Context, req connectors.ReadRequest, sink connectors.RowSink) (connectors.ReadStats, error) {
	if req.BatchSize <= 0 {
		req.BatchSize = defaultBatchSize
	}
	if req.ChunkRows <= 0 {
		req.ChunkRows = defaultChunkRows
	}
	conn, err := c.acquire(ctx)
	if err != nil {
		return connectors.ReadStats{}, asConnectionError(err)
	}
	defer conn.Release()
	if req.Snapshot != "" {
		if err := enterSnapshot(ctx, conn.Conn(), req.Snapshot); err != nil {
			return connectors.ReadStats{}, err
		}
		defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK") }() // read only: nothing to keep
	}
	pipe := connectors.NewBatchPipe(ctx, sink)
	stats, err := c.readChunks(ctx, conn.Conn(), req, pipe)
	if sinkErr := pipe.Close(); err == nil {
		err = sinkErr
	}
	return stats, err
}

// snapshotID is the form of an exported snapshot's name.
var snapshotID = regexp.MustCompile(`^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$`)

// enterSnapshot opens a read-only transaction that sees what an exported
// snapshot saw.
func enterSnapshot(ctx context.Context, conn *pgx.Conn, snapshot string) error {
	if !snapshotID.MatchString(snapshot) {
		return fmt.Errorf("%q is not an exported snapshot's name", snapshot)
	}
	if _, err := conn.Exec(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); err != nil {
		return fmt.Errorf("begin the snapshot's transaction: %w", err)
	}
	if _, err := conn.Exec(ctx, "SET TRANSACTION SNAPSHOT '"+snapshot+"'"); err != nil {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		return fmt.Errorf("enter exported snapshot %s: %w", snapshot, err)
	}
	return nil
}

// readChunks reads the table, in ordered chunks when req has OrderBy,
// handing batches and chunk ends to the pipe.
func (c *Connector) readChunks(ctx context.Context, conn *pgx.Conn, req connectors.ReadRequest, pipe *connectors.BatchPipe) (connectors.ReadStats, error) {
	var stats connectors.ReadStats
	after := req.ResumeAfter
	for {
		query, args := selectSQL(req, after)
		n, last, err := c.readChunk(ctx, conn, req, query, args, pipe, &stats)
		if err != nil {
			return stats, fmt.Errorf("read %s: %w", req.Table, err)
		}
		if len(req.OrderBy) == 0 {
			return stats, nil
		}
		if n > 0 {
			pipe.ChunkDone(last)
		}
		if n < int64(req.ChunkRows) {
			return stats, nil
		}
		after = last
	}
}

// selectSQL builds the chunk's SELECT. Identifiers are quoted; values are
// bind parameters, except under COPY, which takes none (see inlineArgs).
func selectSQL(req connectors.ReadRequest, after []any) (string, []any) {
	cols := make([]string, len(req.Columns))
	for i, c := range req.Columns {
		cols[i] = pgx.Identifier{c.Name}.Sanitize()
	}
	var where []string
	var args []any
	if req.CursorField != "" && req.CursorAfter != nil {
		args = append(args, req.CursorAfter)
		where = append(where, fmt.Sprintf("%s > $%d", pgx.Identifier{req.CursorField}.Sanitize(), len(args)))
	}
	order := make([]string, len(req.OrderBy))
	for i, o := range req.OrderBy {
		order[i] = pgx.Identifier{o}.Sanitize()
	}
	if len(after) > 0 {
		marks := make([]string, len(after))
		for i, v := range after {
			args = append(args, v)
			marks[i] = fmt.Sprintf("$%d", len(args))
		}
		where = append(where, fmt.Sprintf("(%s) > (%s)", strings.Join(order, ", "), strings.Join(marks, ", ")))
	}
	if len(req.UpTo) > 0 && len(order) > 0 {
		marks := make([]string, len(req.UpTo))
		for i, v := range req.UpTo {
			args = append(args, v)
			marks[i] = fmt.Sprintf("$%d", len(args))
		}
		where = append(where, fmt.Sprintf("(%s) <= (%s)", strings.Join(order[:len(marks)], ", "), strings.Join(marks, ", ")))
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + pgx.Identifier{req.Table.Schema, req.Table.Name}.Sanitize()
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if len(order) > 0 {
		q += fmt.Sprintf(" ORDER BY %s LIMIT %d", strings.Join(order, ", "), req.ChunkRows)
	}
	return q, args
}

// readChunk runs one SELECT and streams its rows; it returns how many rows it
// read and the OrderBy values of the last one. The chunk is read in a READ
// ONLY transaction, so even a statement the source would let a view or
// function turn into a write is refused by the server.
func (c *Connector) readChunk(ctx context.Context, conn *pgx.Conn, req connectors.ReadRequest, query string, args []any, pipe *connectors.BatchPipe, stats *connectors.ReadStats) (int64, []any, error) {
	if req.Snapshot != "" { // already in the snapshot's read-only transaction
		return c.readChunkIn(ctx, conn, req, query, args, pipe, stats)
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return 0, nil, queryError(err, c.creds)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // nothing was written; a committed tx makes this a no-op
	n, last, err := c.readChunkIn(ctx, conn, req, query, args, pipe, stats)
	if err != nil {
		return n, nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return n, nil, queryError(err, c.creds)
	}
	return n, last, nil
}

// readChunkIn is readChunk inside its transaction.
func (c *Connector) readChunkIn(ctx context.Context, conn *pgx.Conn, req connectors.ReadRequest, query string, args []any, pipe *connectors.BatchPipe, stats *connectors.ReadStats) (int64, []any, error) {
	fields, err := describe(ctx, conn, query)
	if err != nil {
		return 0, nil, queryError(err, c.creds)
	}
	b := newBatcher(req, fields, conn.TypeMap(), pipe, stats)
	if c.redshift {
		err = b.fromQuery(ctx, conn, query, args)
	} else {
		err = b.fromCopy(ctx, conn, query, args)
	}
	if err != nil {
		return b.Rows, nil, err
	}
	b.Flush()
	return b.Rows, b.LastKey, nil
}

// describe learns the result's column types without reading rows.
func describe(ctx context.Context, conn *pgx.Conn, query string) ([]pgconnField, error) {
	sd, err := conn.Prepare(ctx, "", query)
	if err != nil {
		return nil, err
	}
	out := make([]pgconnField, len(sd.Fields))
	for i, f := range sd.Fields {
		out[i] = pgconnField{name: f.Name, oid: f.DataTypeOID}
	}
	return out, nil
}

type pgconnField struct {
	name string
	oid  uint32
}

// fromCopy streams COPY (query) TO STDOUT (FORMAT binary) through the
// binary decoder, which parses the messages as pgx receives them.
func (b *batcher) fromCopy(ctx context.Context, conn *pgx.Conn, query string, args []any) error {
	inlined, err := inlineArgs(query, args)
	if err != nil {
		return err
	}
	stream := newCopyStream(len(b.fields), b.addRaw)
	if _, err := conn.PgConn().CopyTo(ctx, stream, "COPY ("+inlined+") TO STDOUT (FORMAT binary)"); err != nil {
		return err
	}
	return stream.finish()
}

// fromQuery reads rows with a plain query (Redshift has no binary COPY out).
func (b *batcher) fromQuery(ctx context.Context, conn *pgx.Conn, query string, args []any) error {
	rows, err := conn.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := b.addRaw(rows.RawValues()); err != nil {
			return err
		}
	}
	return rows.Err()
}
