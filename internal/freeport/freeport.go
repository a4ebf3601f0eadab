// Package freeport picks a free TCP port for a server that is started a
// moment later: the dev server's Temporal services, and the servers tests
// and the load harness start.
package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

// The kernel also hands out ports of its ephemeral range as the source ports
// of outgoing connections, so a port picked there and closed again can be
// taken by any connect before the server binds it (seen in CI: "address
// already in use" in the embedded Temporal's matching service). Ports below
// the range are only taken by an explicit bind.
const (
	lowestPicked       = 20000
	defaultEphemeralLo = 32768
	attempts           = 200
)

// Port returns a port on 127.0.0.1 that nothing listens on now.
func Port() (int, error) { return On("127.0.0.1") }

// On returns a port on ip that nothing listens on now, below the kernel's
// ephemeral range where one is free there.
func On(ip string) (int, error) {
	if lo := ephemeralRangeStart(); lo > lowestPicked+1000 {
		for range attempts {
			port := lowestPicked + rand.IntN(lo-lowestPicked)
			if l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port))); err == nil {
				_ = l.Close()
				return port, nil
			}
		}
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("find a free port on %s: %w", ip, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ephemeralRangeStart is the first port of Linux's ephemeral range, or the
// kernel's default where it cannot be read.
func ephemeralRangeStart() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return defaultEphemeralLo
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return defaultEphemeralLo
	}
	if lo, err := strconv.Atoi(fields[0]); err == nil && lo > 0 {
		return lo
	}
	return defaultEphemeralLo
}
