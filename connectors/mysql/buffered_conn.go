package mysql

import (
	"bufio"
	"net"
	"syscall"
)

// readBufferSize is how much a connection reads from the socket at a time.
// The driver asks for at most 4 KiB a read, a system call (and often a
// wait in the poller) every few dozen rows of a bulk read.
const readBufferSize = 128 << 10

// bufferedConn reads the server's packets through a buffer of its own.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func newBufferedConn(c net.Conn) net.Conn {
	b := &bufferedConn{Conn: c, r: bufio.NewReaderSize(c, readBufferSize)}
	if sc, ok := c.(syscall.Conn); ok {
		return checkableConn{b, sc}
	}
	return b
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// checkableConn lets the driver check an idle connection's socket before
// reusing it (nothing is buffered then: the server sends nothing unasked).
type checkableConn struct {
	*bufferedConn
	syscall.Conn
}
