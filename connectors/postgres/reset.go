package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// resetTimeout bounds the reset of a connection returned to the pool.
const resetTimeout = 5 * time.Second

// resetSession runs as a Postgres pool's AfterRelease hook: before a
// connection serves the next request it is reset with DISCARD ALL, which
// releases session-level advisory locks, resets every setting changed with
// SET or set_config, drops temporary tables, stops LISTENing and forgets
// prepared statements (pgx's statement caches are cleared with them). A
// read-only transaction does not stop a query from taking an advisory lock
// or changing a setting for the session, and without the reset a pooled
// connection carried both into the next request, which may be another
// team's. A connection that cannot be reset is closed instead (false).
//
// pgxpool calls the hook in a goroutine of its own, so the reset does not
// add to the request's time; the pool hands the connection out again only
// after it returns.
func resetSession(conn *pgx.Conn) bool {
	ctx, cancel := context.WithTimeout(context.Background(), resetTimeout)
	defer cancel()
	if err := conn.DeallocateAll(ctx); err != nil {
		return false
	}
	_, err := conn.PgConn().Exec(ctx, "DISCARD ALL").ReadAll()
	return err == nil
}
