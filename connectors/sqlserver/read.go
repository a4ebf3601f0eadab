package sqlserver

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// defaultBatchSize is used when a read request does not say.
const defaultBatchSize = 10_000

// Read streams a table's rows to sink in batches, ordered by the cursor field
// when there is one so that a read can resume after the greatest value seen
// (keyset pagination: WHERE cursor > @p1 ORDER BY cursor). The driver decodes
// the server's row stream as it arrives, so memory holds one batch.
func (c *Connector) Read(ctx context.Context, req connectors.ReadRequest, sink connectors.RowSink) (connectors.ReadStats, error) {
	var stats connectors.ReadStats
	cols := req.Columns
	if len(cols) == 0 {
		var err error
		if cols, err = c.Columns(ctx, req.Table); err != nil {
			return stats, err
		}
	}
	query, args, cursorIdx, err := readSQL(req, cols)
	if err != nil {
		return stats, err
	}
	conn, err := c.conn(ctx)
	if err != nil {
		return stats, c.queryError(err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return stats, c.queryError(fmt.Errorf("read %s: %w", req.Table, err))
	}
	defer rows.Close()
	colTypes, err := rows.ColumnTypes()
	if err != nil {
		return stats, c.queryError(err)
	}
	typeNames := make([]string, len(colTypes))
	for i, ct := range colTypes {
		typeNames[i] = ct.DatabaseTypeName()
	}
	batchSize := req.BatchSize
	if batchSize <= 0 {
		batchSize = defaultBatchSize
	}
	batch := make([][]any, 0, batchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := sink.WriteBatch(ctx, batch); err != nil {
			return fmt.Errorf("read %s: write batch: %w", req.Table, err)
		}
		batch = batch[:0]
		return nil
	}
	for rows.Next() {
		values, err := scanRow(rows, typeNames)
		if err != nil {
			return stats, c.queryError(err)
		}
		stats.Rows++
		stats.Bytes += rowSize(values)
		// Rows arrive in cursor order, so the last non-NULL cursor is the greatest.
		if cursorIdx >= 0 && values[cursorIdx] != nil {
			stats.MaxCursor = values[cursorIdx]
		}
		if batch = append(batch, values); len(batch) == batchSize {
			if err := flush(); err != nil {
				return stats, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return stats, c.queryError(fmt.Errorf("read %s: %w", req.Table, err))
	}
	return stats, flush()
}

// readSQL builds the read statement; cursorIdx is the cursor's position in
// the select list, or -1.
func readSQL(req connectors.ReadRequest, cols []connectors.Column) (query string, args []any, cursorIdx int, err error) {
	schema := req.Table.Schema
	if schema == "" {
		schema = "dbo"
	}
	names := make([]string, len(cols))
	cursorIdx = -1
	for i, col := range cols {
		names[i] = quoteIdent(col.Name)
		if col.Name == req.CursorField {
			cursorIdx = i
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s FROM %s.%s", strings.Join(names, ", "), quoteIdent(schema), quoteIdent(req.Table.Name))
	if req.CursorField == "" {
		return b.String(), nil, -1, nil
	}
	if cursorIdx < 0 {
		return "", nil, -1, fmt.Errorf("read %s: cursor field %q is not among the columns read", req.Table, req.CursorField)
	}
	cursor := cols[cursorIdx]
	if req.CursorAfter != nil {
		param, err := cursorParam(cursor.Type, req.CursorAfter)
		if err != nil {
			return "", nil, -1, fmt.Errorf("read %s: cursor %s: %w", req.Table, cursor.Name, err)
		}
		fmt.Fprintf(&b, " WHERE %s > %s", quoteIdent(cursor.Name), castTo("@p1", cursor.SourceType))
		args = append(args, param)
	}
	fmt.Fprintf(&b, " ORDER BY %s", quoteIdent(cursor.Name))
	return b.String(), args, cursorIdx, nil
}

// plainType matches the declared types sourceType renders, e.g. "int",
// "decimal(12,3)", "nvarchar(max)", "datetime2(7)".
var plainType = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\((\d+|max)(,\d+)?\))?$`)

// castTo converts the parameter to the cursor column's own type, so the
// comparison uses the column's index instead of converting every row's value.
// A type that does not look like a plain T-SQL type (an alias type's name is
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
