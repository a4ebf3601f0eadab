package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-dev/sluice/connectors"
)

// timeoutGrace lets the server's statement timeout fire before the client
// gives up, so the error names the timeout rather than a dropped connection.
const timeoutGrace = 2 * time.Second

// Query runs one statement in a read-only transaction with a statement
// timeout, returning at most opts.MaxRows rows and opts.MaxBytes bytes, each
// value cut at opts.MaxValueBytes by the server where it can (query_budget.go).
func (c *Connector) Query(ctx context.Context, sql string, opts connectors.QueryOptions) (*connectors.ResultSet, error) {
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout+timeoutGrace)
		defer cancel()
	}
	conn, err := c.acquire(ctx)
	if err != nil {
		return nil, asConnectionError(err)
	}
	defer conn.Release()
	_, valueCap := opts.Limits()
	st, err := describeCapped(ctx, conn.Conn().PgConn(), conn.Conn().TypeMap(), sql, valueCap, opts.MaxRows, c.redshift)
	if err != nil {
		return nil, queryError(err, c.creds)
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, queryError(err, c.creds)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // nothing was written
	if opts.Timeout > 0 {
		set := "SET LOCAL statement_timeout = %d"
		if c.redshift {
			set = "SET statement_timeout TO %d" // Redshift has no SET LOCAL
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf(set, opts.Timeout.Milliseconds())); err != nil {
			return nil, queryError(err, c.creds)
		}
	}
	// DescribeExec: no prepared-statement cache to fill with ad-hoc SQL, and
	// the extended protocol refuses a second statement smuggled in.
	rows, err := tx.Query(ctx, st.sql, pgx.QueryExecModeDescribeExec)
	if err != nil {
		return nil, queryError(err, c.creds)
	}
	defer rows.Close()
	result, err := collectCapped(rows, conn.Conn().TypeMap(), st, opts)
	if err != nil {
		return nil, queryError(err, c.creds)
	}
	if result.TruncatedReason == connectors.TruncatedBytes {
		// Closing the rows would read every remaining row off the wire;
		// the server stops sending them when the statement is cancelled.
		_ = conn.Conn().PgConn().CancelRequest(context.WithoutCancel(ctx))
	}
	return result, nil
}

// rawJSON keeps JSON as the server sent it; jsonb's binary form has a version byte.
func rawJSON(oid uint32, raw []byte) connectors.JSON {
	if oid == pgtype.JSONBOID && len(raw) > 0 && raw[0] == 1 {
		raw = raw[1:]
	}
	return connectors.JSON(raw)
}

// queryError classifies a database error by SQLSTATE class, keeping the
// database's own message.
func queryError(err error, creds connectors.Credentials) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		kind := connectors.QueryErrOther
		switch {
		case pgErr.Code == "57014": // query_canceled: the statement timeout fired
			kind = connectors.QueryErrTimeout
		case pgErr.Code == "25006": // read_only_sql_transaction
			return &connectors.ReadOnlyError{Reason: "the database refused a write in a read-only transaction: " + pgErr.Message}
		case pgErr.Code == "42501":
			kind = connectors.QueryErrPermission
		case strings.HasPrefix(pgErr.Code, "42"):
			kind = connectors.QueryErrSyntax
		case strings.HasPrefix(pgErr.Code, "08"), strings.HasPrefix(pgErr.Code, "57P"):
			kind = connectors.QueryErrConnection
		}
		msg := pgErr.Message
		if pgErr.Position > 0 {
			msg = fmt.Sprintf("%s (at character %d)", msg, pgErr.Position)
		}
		return &connectors.QueryError{Kind: kind, Message: creds.Redact(msg)}
	}
	var stepErr *connectors.StepError
	if errors.As(err, &stepErr) {
		return asConnectionError(err)
	}
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return &connectors.QueryError{Kind: connectors.QueryErrTimeout, Message: "the query did not finish in time and was cancelled"}
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "unexpected EOF") {
		return &connectors.QueryError{Kind: connectors.QueryErrConnection, Message: creds.Redact(err.Error())}
	}
	return &connectors.QueryError{Kind: connectors.QueryErrOther, Message: creds.Redact(err.Error())}
}

// asConnectionError reports a failure to reach the source during a query.
func asConnectionError(err error) error {
	var stepErr *connectors.StepError
	if errors.As(err, &stepErr) {
		return &connectors.QueryError{Kind: connectors.QueryErrConnection, Message: stepErr.Message}
	}
	return err
}
