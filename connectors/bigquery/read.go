package bigquery

import (
	"context"
	"fmt"
	"strings"

	bq "cloud.google.com/go/bigquery"

	"github.com/sluice-dev/sluice/connectors"
)

// defaultBatchSize is used when a read request does not say.
const defaultBatchSize = 10_000

// Read runs one query over the table and pages through its result, a batch
// per jobs.getQueryResults page, so memory holds one batch. With a cursor
// field it reads only rows past the cursor, in cursor order
// (WHERE cursor > @cursor ORDER BY cursor), so a read can resume.
func (c *Connector) Read(ctx context.Context, req connectors.ReadRequest, sink connectors.RowSink) (connectors.ReadStats, error) {
	var stats connectors.ReadStats
	cols := req.Columns
	if len(cols) == 0 {
		var err error
		if cols, err = c.Columns(ctx, req.Table); err != nil {
			return stats, err
		}
	}
	sql, params, cursorIdx, err := c.readSQL(req, cols)
	if err != nil {
		return stats, err
	}
	q := c.client.Query(sql)
	q.Parameters = params
	job, err := q.Run(ctx)
	if err != nil {
		return stats, c.queryError(fmt.Errorf("read %s: %w", req.Table, err))
	}
	batchSize := req.BatchSize
	if batchSize <= 0 {
		batchSize = defaultBatchSize
	}
	batch := make([][]any, 0, batchSize)
	write := func() error {
		if err := sink.WriteBatch(ctx, batch); err != nil {
			return fmt.Errorf("read %s: write batch: %w", req.Table, err)
		}
		batch = batch[:0]
		return nil
	}
	_, err = c.eachRow(ctx, job, min(batchSize, maxPageRows), func(values []any) (bool, error) {
		stats.Rows++
		stats.Bytes += rowSize(values)
		if cursorIdx >= 0 && values[cursorIdx] != nil {
			stats.MaxCursor = values[cursorIdx] // rows arrive in cursor order
		}
		if batch = append(batch, values); len(batch) == batchSize {
			return true, write()
		}
		return true, nil
	})
	if err == nil && len(batch) > 0 {
		err = write()
	}
	return stats, err
}

// readSQL builds the read query; cursorIdx is the cursor's position in the
// select list, or -1.
func (c *Connector) readSQL(req connectors.ReadRequest, cols []connectors.Column) (string, []bq.QueryParameter, int, error) {
	names := make([]string, len(cols))
	cursorIdx := -1
	for i, col := range cols {
		names[i] = quoteIdent(col.Name)
		if col.Name == req.CursorField {
			cursorIdx = i
		}
	}
	sql := fmt.Sprintf("SELECT %s FROM %s.%s.%s", strings.Join(names, ", "),
		quoteIdent(c.project), quoteIdent(req.Table.Schema), quoteIdent(req.Table.Name))
	if req.CursorField == "" {
		return sql, nil, -1, nil
	}
	if cursorIdx < 0 {
		return "", nil, -1, fmt.Errorf("read %s: cursor field %q is not among the columns read", req.Table, req.CursorField)
	}
	cursor := cols[cursorIdx]
	var params []bq.QueryParameter
	if req.CursorAfter != nil {
		value, err := cursorParam(cursor, req.CursorAfter)
		if err != nil {
			return "", nil, -1, fmt.Errorf("read %s: cursor %s: %w", req.Table, cursor.Name, err)
		}
		sql += fmt.Sprintf(" WHERE %s > @cursor", quoteIdent(cursor.Name))
		params = []bq.QueryParameter{{Name: "cursor", Value: value}}
	}
	return sql + " ORDER BY " + quoteIdent(cursor.Name), params, cursorIdx, nil
}

// quoteIdent quotes a GoogleSQL identifier with backticks, escaping
// backslashes and backticks inside it.
func quoteIdent(name string) string {
	return "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`").Replace(name) + "`"
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
		case connectors.JSON:
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
