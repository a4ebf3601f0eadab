package sqlserver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/sluice-dev/sluice/connectors"
)

// Query runs one statement, limited in rows and time. SQL Server has no
// read-only transaction, so the statement runs inside a transaction that is
// always rolled back: whatever it changed is undone. A statement that returns
// no result set is refused after the fact, because a read always returns one.
// The read-only guard in front of the connector refuses writes before they
// are sent; this is the second line.
func (c *Connector) Query(ctx context.Context, query string, opts connectors.QueryOptions) (*connectors.ResultSet, error) {
	// SQL Server has no statement timeout of its own: the driver cancels the
	// statement on the server (a TDS attention) when the context ends.
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	conn, err := c.conn(ctx)
	if err != nil {
		return nil, c.queryError(err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, c.contextError(ctx, err)
	}
	defer tx.Rollback() //nolint:errcheck // rolling back is the point
	if _, err := tx.ExecContext(ctx, sessionLimits(opts)); err != nil {
		return nil, c.contextError(ctx, err)
	}
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, c.contextError(ctx, err)
	}
	defer rows.Close()
	result, err := collect(rows, opts)
	if err != nil {
		return nil, c.contextError(ctx, err)
	}
	return result, nil
}

// sessionLimits makes the server itself give up on lock waits after the
// timeout, and stop producing rows one past the cap (which is how the result
// knows it was truncated). Both settings are reset when the pooled connection
// is next used.
func sessionLimits(opts connectors.QueryOptions) string {
	lockTimeout := int64(-1) // wait for locks indefinitely, as SQL Server does by default
	if opts.Timeout > 0 {
		lockTimeout = opts.Timeout.Milliseconds()
	}
	rowCount := 0 // no limit
	if opts.MaxRows > 0 {
		rowCount = opts.MaxRows + 1
	}
	return fmt.Sprintf("SET LOCK_TIMEOUT %d; SET ROWCOUNT %d;", lockTimeout, rowCount)
}

// errNoResultSet refuses a statement that returned no rows to read.
var errNoResultSet = &connectors.ReadOnlyError{Reason: "the statement returned no result set, so it was not a read; " +
	"SQL Server has no read-only transaction, so sluice ran it in a transaction and rolled it back"}

// collect reads rows under opts' row limit, byte budget and value cap,
// normalizing values.
func collect(rows *sql.Rows, opts connectors.QueryOptions) (*connectors.ResultSet, error) {
	colTypes, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	if len(colTypes) == 0 {
		return nil, errNoResultSet
	}
	cols := make([]connectors.ResultColumn, len(colTypes))
	typeNames := make([]string, len(colTypes))
	for i, ct := range colTypes {
		precision, scale, _ := ct.DecimalSize()
		typeNames[i] = ct.DatabaseTypeName()
		cols[i] = connectors.ResultColumn{Name: ct.Name(), Type: typeOf(typeNames[i], int(precision), int(scale)), SourceType: typeNames[i]}
	}
	b := connectors.NewResultBuilder(cols, opts)
	for rows.Next() && b.Room() {
		values, err := scanRow(rows, typeNames)
		if err != nil {
			return nil, err
		}
		if !b.Add(values) {
			break
		}
	}
	return b.Result(), rows.Err()
}

// scanRow scans the current row and normalizes its values.
func scanRow(rows *sql.Rows, typeNames []string) ([]any, error) {
	values := make([]any, len(typeNames))
	ptrs := make([]any, len(typeNames))
	for i := range values {
		ptrs[i] = &values[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	for i := range values {
		values[i] = normalize(values[i], typeNames[i])
	}
	return values, nil
}

// contextError reports a statement the context ended as a timeout: the driver
// surfaces the cancellation in several shapes.
func (c *Connector) contextError(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &connectors.QueryError{Kind: connectors.QueryErrTimeout, Message: "the query did not finish in time and was cancelled"}
	}
	return c.queryError(err)
}

// queryError classifies an error by SQL Server error number, keeping the
// server's own message.
func (c *Connector) queryError(err error) error {
	var roErr *connectors.ReadOnlyError
	if errors.As(err, &roErr) {
		return err
	}
	var stepErr *connectors.StepError
	if errors.As(err, &stepErr) {
		kind := connectors.QueryErrConnection
		if stepErr.Step != connectors.StepConnect {
			kind = connectors.QueryErrPermission
		}
		return &connectors.QueryError{Kind: kind, Message: stepErr.Message}
	}
	var msErr mssql.Error
	if errors.As(err, &msErr) {
		if msErr.Number == 3906 { // the database is read-only (a readable secondary)
			return &connectors.ReadOnlyError{Reason: "the database refused a write: " + msErr.Message}
		}
		return &connectors.QueryError{Kind: errorKind(msErr.Number), Message: c.creds.Redact(msErr.Message)}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &connectors.QueryError{Kind: connectors.QueryErrTimeout, Message: "the query did not finish in time and was cancelled"}
	}
	var netErr net.Error
	var serverErr mssql.ServerError
	if errors.As(err, &netErr) || errors.As(err, &serverErr) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return &connectors.QueryError{Kind: connectors.QueryErrConnection, Message: c.creds.Redact(err.Error())}
	}
	return &connectors.QueryError{Kind: connectors.QueryErrOther, Message: c.creds.Redact(err.Error())}
}

// errorKind maps SQL Server error numbers to query error kinds.
func errorKind(number int32) string {
	switch number {
	case 102, 105, 156, // incorrect syntax, unclosed quotation mark
		207, 208, 209, 4104, // invalid or ambiguous column or object name
		195, 2812, 8120, 8144, 206: // unknown function or procedure, grouping, arguments, type clash
		return connectors.QueryErrSyntax
	case 229, 230, 262, 297, 300, 916, 18456: // permission denied
		return connectors.QueryErrPermission
	case 1222: // lock request time out: the LOCK_TIMEOUT set from the query timeout
		return connectors.QueryErrTimeout
	}
	return connectors.QueryErrOther
}
