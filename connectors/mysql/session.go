package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"time"
)

// releaseTimeout bounds the clean-up of a connection after a query.
const releaseTimeout = 5 * time.Second

// releaseSession runs after an ad-hoc query, before its connection goes back
// to the pool: it releases every named lock the session holds (GET_LOCK
// locks are the session's, not the transaction's, and a read-only
// transaction does not stop them), so a lock never outlives the request
// that took it and never blocks another team's query on the same database
// user. A connection that cannot be cleaned up is discarded instead. The
// guard refuses GET_LOCK already; this is the second defense.
func releaseSession(conn *sql.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	if _, err := conn.ExecContext(ctx, "DO RELEASE_ALL_LOCKS()"); err != nil {
		// Returning ErrBadConn from Raw makes database/sql close the
		// connection rather than pool it.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}
