package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// receiveWindow is the read deadline a stream's messages are received
// under until its next status report: one deadline on the connection for
// many messages, and one watch of the context for the whole stream, where
// a context per receive cost more than decoding the message.
type receiveWindow struct {
	conn  *pgconn.PgConn
	until time.Time
	// stop ends the watch that interrupts a receive when ctx is done.
	stop func() bool
}

func watchReceive(ctx context.Context, conn *pgconn.PgConn) *receiveWindow {
	w := &receiveWindow{conn: conn}
	w.renew()
	w.stop = context.AfterFunc(ctx, func() { _ = conn.Conn().SetReadDeadline(time.Now()) })
	return w
}

// renew opens the next window.
func (w *receiveWindow) renew() {
	w.until = time.Now().Add(statusEvery / 2)
	_ = w.conn.Conn().SetReadDeadline(w.until)
}

// expired reports whether the window has passed. A message in the window
// is received without reading the clock: the deadline ends a wait.
func (w *receiveWindow) expired() bool { return w.until.IsZero() }

// expire marks the window passed (a receive timed out).
func (w *receiveWindow) expire() { w.until = time.Time{} }

// end stops watching and clears the deadline, leaving the connection as
// it was for what follows the stream.
func (w *receiveWindow) end() {
	w.stop()
	_ = w.conn.Conn().SetReadDeadline(time.Time{})
}
