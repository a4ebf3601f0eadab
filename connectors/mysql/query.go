package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	driver "github.com/go-sql-driver/mysql"

	"github.com/sluice-dev/sluice/connectors"
)

// timeoutGrace lets the server's statement limit fire before the client gives up.
const timeoutGrace = 2 * time.Second

// Query runs one statement in a read-only transaction with a statement time
// limit (max_statement_time on MariaDB, max_execution_time on MySQL).
func (c *Connector) Query(ctx context.Context, query string, opts connectors.QueryOptions) (*connectors.ResultSet, error) {
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout+timeoutGrace)
		defer cancel()
	}
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return nil, &connectors.QueryError{Kind: connectors.QueryErrConnection, Message: c.creds.Redact(err.Error())}
	}
	defer conn.Close()
	defer releaseSession(conn)
	// A READ ONLY transaction alone does not stop DDL, which commits
	// implicitly and runs outside it; a read-only session refuses DDL too.
	if _, err := conn.ExecContext(ctx, "SET SESSION TRANSACTION READ ONLY"); err != nil {
		return nil, c.queryError(err)
	}
	if opts.Timeout > 0 {
		if err := setStatementTimeout(ctx, conn, opts.Timeout); err != nil {
			return nil, c.queryError(err)
		}
	}
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, c.queryError(err)
	}
	defer tx.Rollback() //nolint:errcheck // nothing was written
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, c.queryError(err)
	}
	defer rows.Close()
	result, err := collectCapped(rows, opts)
	if err != nil {
		return nil, c.queryError(err)
	}
	return result, nil
}

// setStatementTimeout uses MariaDB's variable and falls back to MySQL's.
func setStatementTimeout(ctx context.Context, conn *sql.Conn, timeout time.Duration) error {
	_, err := conn.ExecContext(ctx, fmt.Sprintf("SET SESSION max_statement_time = %.3f", timeout.Seconds()))
	var myErr *driver.MySQLError
	if errors.As(err, &myErr) && myErr.Number == 1193 { // unknown system variable: this is MySQL
		_, err = conn.ExecContext(ctx, fmt.Sprintf("SET SESSION max_execution_time = %d", timeout.Milliseconds()))
	}
	return err
}

// normalize converts what the driver returns (bytes for most types over the
// text protocol) into the form connectors.ResultSet documents.
func normalize(v any, t connectors.Type) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		// The driver reads MySQL's zero date ('0000-00-00', accepted
		// unless NO_ZERO_DATE is set) as Go's zero time: it is no date,
		// not the first of January of year 1.
		if x.IsZero() {
			return nil
		}
		if t.Kind == connectors.KindDate {
			return connectors.Date(x.Format(time.DateOnly))
		}
		return x
	case []byte:
		return fromText(string(x), t)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	}
	return v
}

func fromText(s string, t connectors.Type) any {
	switch t.Kind {
	case connectors.KindInt:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
		return connectors.Decimal(s) // BIGINT UNSIGNED beyond int64
	case connectors.KindFloat:
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case connectors.KindDecimal:
		return connectors.Decimal(s)
	case connectors.KindBool:
		return s == "1" || s == "\x01" // tinyint(1) as text, or a BIT(1)
	case connectors.KindTime:
		return connectors.TimeOfDay(s)
	case connectors.KindDate:
		return connectors.Date(s)
	case connectors.KindJSON:
		return connectors.JSON(s)
	case connectors.KindBytes:
		return []byte(s)
	}
	return s
}

// queryError classifies a MySQL error by its number, keeping the server's message.
func (c *Connector) queryError(err error) error {
	var myErr *driver.MySQLError
	if errors.As(err, &myErr) {
		kind := connectors.QueryErrOther
		switch myErr.Number {
		case 1064, 1054, 1146, 1049, 1052, 1060, 1066, 1109, 1305:
			kind = connectors.QueryErrSyntax
		case 1044, 1142, 1143, 1227, 1045:
			kind = connectors.QueryErrPermission
		case 3024, 1969, 1317, 1028:
			kind = connectors.QueryErrTimeout
		case 1792:
			return &connectors.ReadOnlyError{Reason: "the database refused a write in a read-only transaction: " + myErr.Message}
		}
		return &connectors.QueryError{Kind: kind, Message: c.creds.Redact(myErr.Message)}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &connectors.QueryError{Kind: connectors.QueryErrTimeout, Message: "the query did not finish in time and was cancelled"}
	}
	var netErr net.Error
	if errors.Is(err, driver.ErrInvalidConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &netErr) {
		return &connectors.QueryError{Kind: connectors.QueryErrConnection, Message: c.creds.Redact(err.Error())}
	}
	return &connectors.QueryError{Kind: connectors.QueryErrOther, Message: c.creds.Redact(err.Error())}
}
