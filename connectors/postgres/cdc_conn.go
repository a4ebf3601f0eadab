package postgres

import (
	"bufio"
	"context"
	"io"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// A walsender writes every change to the socket as it decodes it, so a
// reader that keeps up wakes, and makes a system call, for each change
// (about a hundred bytes): on a busy source that costs more CPU than the
// decoding, on both ends. A replication connection therefore reads in
// gulps: when it has caught up with the server (a read returned little),
// it waits a moment before reading again, so the next read takes the
// changes that came meanwhile at once and the server's sends wake nobody.
const (
	gulpBytes   = 256 << 10
	caughtUpLen = 16 << 10
	gulpPause   = 500 * time.Microsecond
)

// gulpingConn is a net.Conn whose reads come from a large buffer, refilled
// after a pause whenever the last refill found the socket nearly empty.
type gulpingConn struct {
	net.Conn
	socket *pausingReader
	r      *bufio.Reader
}

func newGulpingConn(c net.Conn) *gulpingConn {
	s := &pausingReader{r: c}
	return &gulpingConn{Conn: c, socket: s, r: bufio.NewReaderSize(s, gulpBytes)}
}

func (c *gulpingConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// pausingReader waits gulpPause before a read that follows a short one.
type pausingReader struct {
	r        io.Reader
	caughtUp bool
}

func (p *pausingReader) Read(b []byte) (int, error) {
	if p.caughtUp {
		time.Sleep(gulpPause)
	}
	n, err := p.r.Read(b)
	p.caughtUp = n < caughtUpLen
	return n, err
}

// gulpingDial wraps a dial function so its connections read in gulps.
func gulpingDial(dial pgconn.DialFunc) pgconn.DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return newGulpingConn(c), nil
	}
}
