package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// dbError maps errors from sluice's own database to the service's sentinels
// once, at the edge: no row is ErrNotFound, and a database that cannot be
// reached is ErrUnavailable (so the API answers 503, not 500).
func dbError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:2] {
		case "08", "57": // connection exception, operator intervention (shutdown)
			return fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		return err
	}
	// A server that goes away mid-query (an immediate shutdown, a crash)
	// closes the connection under pgx, which reports an unexpected EOF.
	var netErr net.Error
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) || errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return err
}
