// Package freeport finds a free loopback TCP port for a server that a test
// or the load harness starts.
package freeport

import (
	"fmt"
	"net"
)

// Port returns a port on 127.0.0.1 that was free a moment ago.
func Port() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
