package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
)

// releaseTimeout bounds the clean-up of a connection after a query.
const releaseTimeout = 5 * time.Second

// releaseSession runs after an ad-hoc query, before its connection goes back
// to the pool: it releases every named lock the session holds (GET_LOCK
// locks are the session's, not the transaction's, and a read-only
// transaction does not stop them), so a lock never outlives the request
// that took it and never blocks another team's query on the same database
// user, and it puts the statement time limit the query set back to the
// server's, so a sync's long read on the same connection is not cut short.
// A connection that cannot be cleaned up is discarded instead. The guard
// refuses GET_LOCK already; this is the second defense.
func releaseSession(conn *sql.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	_, err := conn.ExecContext(ctx, "DO RELEASE_ALL_LOCKS()")
	if err == nil {
		err = resetStatementTimeout(ctx, conn)
	}
	if err != nil {
		// Returning ErrBadConn from Raw makes database/sql close the
		// connection rather than pool it.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// resetStatementTimeout undoes setStatementTimeout: MariaDB's variable, or
// MySQL's when MariaDB's is unknown.
func resetStatementTimeout(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, "SET SESSION max_statement_time = DEFAULT")
	var myErr *mysqldriver.MySQLError
	if errors.As(err, &myErr) && myErr.Number == 1193 { // unknown system variable: this is MySQL
		_, err = conn.ExecContext(ctx, "SET SESSION max_execution_time = DEFAULT")
	}
	return err
}
