package snowflake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"time"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/sluice-dev/sluice/connectors"
)

// timeoutGrace lets Snowflake's statement timeout fire before the client
// gives up, so the error names the timeout rather than a cancelled request.
const timeoutGrace = 2 * time.Second

// Query runs one statement with Snowflake's statement timeout set from
// opts.Timeout, reading at most opts.MaxRows rows (one more to know whether
// there were more). Snowflake has no read-only transaction: the read-only
// guard in front of the connector decides what may run.
func (c *Connector) Query(ctx context.Context, query string, opts connectors.QueryOptions) (*connectors.ResultSet, error) {
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout+timeoutGrace)
		defer cancel()
	}
	conn, err := c.conn(ctx)
	if err != nil {
		return nil, c.queryError(err)
	}
	defer conn.Close()
	// The setting stays with the pooled session, so every use sets its own.
	if _, err := conn.ExecContext(ctx, statementTimeoutSQL(opts.Timeout)); err != nil {
		return nil, c.contextError(ctx, err)
	}
	qctx, err := queryContext(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := conn.QueryContext(qctx, query)
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

// statementTimeoutSQL sets the session's statement timeout, in whole seconds
// rounded up, or restores the account's default when there is no timeout.
func statementTimeoutSQL(timeout time.Duration) string {
	if timeout <= 0 {
		return "ALTER SESSION UNSET STATEMENT_TIMEOUT_IN_SECONDS"
	}
	return fmt.Sprintf("ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = %d", int(math.Ceil(timeout.Seconds())))
}

// queryContext asks the driver for exact numbers (big.Int and big.Float
// instead of float64 for NUMBER with a scale) and for exactly one statement,
// whatever the account's MULTI_STATEMENT_COUNT default is.
func queryContext(ctx context.Context) (context.Context, error) {
	ctx, err := sf.WithMultiStatement(sf.WithHigherPrecision(ctx), 1)
	if err != nil {
		return nil, fmt.Errorf("limit to one statement: %w", err)
	}
	return ctx, nil
}

// column is what normalizing a result column's values needs.
type column struct {
	typeName string
	scale    int
}

// resultColumns describes a result's columns.
func resultColumns(rows *sql.Rows) ([]connectors.ResultColumn, []column, error) {
	colTypes, err := rows.ColumnTypes()
	if err != nil {
		return nil, nil, err
	}
	out := make([]connectors.ResultColumn, len(colTypes))
	cols := make([]column, len(colTypes))
	for i, ct := range colTypes {
		precision, scale, _ := ct.DecimalSize()
		name := ct.DatabaseTypeName()
		cols[i] = column{typeName: name, scale: int(scale)}
		out[i] = connectors.ResultColumn{Name: ct.Name(), Type: typeOf(name, int(precision), int(scale)), SourceType: name}
	}
	return out, cols, nil
}

// collect reads rows under opts' row limit, byte budget and value cap,
// normalizing values.
func collect(rows *sql.Rows, opts connectors.QueryOptions) (*connectors.ResultSet, error) {
	resultCols, cols, err := resultColumns(rows)
	if err != nil {
		return nil, err
	}
	b := connectors.NewResultBuilder(resultCols, opts)
	for rows.Next() && b.Room() {
		values, err := scanRow(rows, cols)
		if err != nil {
			return nil, err
		}
		if !b.Add(values) {
			break
		}
	}
	return b.Result(), rows.Err()
}

func scanRow(rows *sql.Rows, cols []column) ([]any, error) {
	values := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range values {
		ptrs[i] = &values[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	for i, col := range cols {
		values[i] = normalize(values[i], col.typeName, col.scale)
	}
	return values, nil
}

// contextError reports a statement the context ended as a timeout.
func (c *Connector) contextError(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &connectors.QueryError{Kind: connectors.QueryErrTimeout, Message: "the query did not finish in time and was cancelled"}
	}
	return c.queryError(err)
}

// queryError classifies a Snowflake error by SQLSTATE and error number,
// keeping Snowflake's own message.
func (c *Connector) queryError(err error) error {
	var stepErr *connectors.StepError
	if errors.As(err, &stepErr) {
		kind := connectors.QueryErrConnection
		if stepErr.Step != connectors.StepConnect {
			kind = connectors.QueryErrPermission
		}
		return &connectors.QueryError{Kind: kind, Message: stepErr.Message}
	}
	var sfErr *sf.SnowflakeError
	if errors.As(err, &sfErr) {
		return &connectors.QueryError{Kind: errorKind(sfErr), Message: c.creds.Redact(sfErr.Message)}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &connectors.QueryError{Kind: connectors.QueryErrTimeout, Message: "the query did not finish in time and was cancelled"}
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return &connectors.QueryError{Kind: connectors.QueryErrConnection, Message: c.creds.Redact(err.Error())}
	}
	return &connectors.QueryError{Kind: connectors.QueryErrOther, Message: c.creds.Redact(err.Error())}
}

func errorKind(e *sf.SnowflakeError) string {
	switch {
	case e.SQLState == "57014" || e.Number == 630 || e.Number == 604: // statement timeout or cancelled
		return connectors.QueryErrTimeout
	case e.SQLState == "42501" || e.Number == 3001: // insufficient privileges
		return connectors.QueryErrPermission
	case strings.HasPrefix(e.SQLState, "42"): // syntax, unknown object (42S02) or identifier
		return connectors.QueryErrSyntax
	case strings.HasPrefix(e.SQLState, "08"), e.Number >= 261000 && e.Number < 262000: // connection, driver's HTTP failures
		return connectors.QueryErrConnection
	}
	return connectors.QueryErrOther
}
