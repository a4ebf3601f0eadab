package mysql

import (
	"context"
	"errors"
	"fmt"

	driver "github.com/go-sql-driver/mysql"
)

// connectConn opens one connection for validation with the handshake
// bounded by connectTimeout: the driver's dial timeout ends at the TCP
// connect, and a server that is not MySQL (Postgres on 5432, say) accepts
// the connection and then waits for the client to speak, so the handshake
// would hang until the server gives up (60s for Postgres).
func (c *Connector) connectConn(ctx context.Context, open func(context.Context) error) error {
	hctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	err := open(hctx)
	if err == nil || ctx.Err() != nil {
		return err
	}
	var myErr *driver.MySQLError
	if errors.As(err, &myErr) {
		return err // the server answered as MySQL: its own message says what is wrong
	}
	if hctx.Err() != nil || errors.Is(err, driver.ErrInvalidConn) || errors.Is(err, driver.ErrMalformPkt) {
		return fmt.Errorf("the server at %s did not answer like a MySQL server; check the host and port (is it another kind of database?): %w", c.cfg.Addr, err)
	}
	return err
}
