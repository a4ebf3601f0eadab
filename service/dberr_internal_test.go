package service

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestDBErrorUnavailable checks which failures of sluice's database become
// ErrUnavailable (503) rather than an internal error: among them the
// unexpected EOF pgx reports when the server goes away mid-query, which the
// chaos harness saw answered 500 during an immediate Postgres shutdown.
func TestDBErrorUnavailable(t *testing.T) {
	for _, tc := range []struct {
		err         error
		unavailable bool
	}{
		{fmt.Errorf("query: %w", io.ErrUnexpectedEOF), true},
		{io.EOF, true},
		{&pgconn.PgError{Code: "57P01"}, true},
		{&pgconn.PgError{Code: "08006"}, true},
		{&pgconn.PgError{Code: "23505"}, false},
		{errors.New("something else"), false},
	} {
		if got := errors.Is(dbError(tc.err), ErrUnavailable); got != tc.unavailable {
			t.Errorf("dbError(%v) unavailable = %v, want %v", tc.err, got, tc.unavailable)
		}
	}
	if !errors.Is(dbError(pgx.ErrNoRows), ErrNotFound) {
		t.Error("no rows is not ErrNotFound")
	}
}
