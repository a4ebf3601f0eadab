package devserver

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
// taken by any connect before Temporal binds it (seen in CI: "address already
// in use" in the matching service). Ports below the range are only taken by
// an explicit bind, which makes the gap between picking and binding safe in
// practice.
const (
	lowestPickedPort   = 20000
	defaultEphemeralLo = 32768
	pickAttempts       = 200
)

// FreePort returns a TCP port on ip that nothing listens on now, chosen below
// the kernel's ephemeral range where it can be; tests and the dev server use
// it for ports they bind a moment later.
func FreePort(ip string) (int, error) {
	lo := ephemeralRangeStart()
	if lo > lowestPickedPort+1000 {
		for range pickAttempts {
			port := lowestPickedPort + rand.IntN(lo-lowestPickedPort)
			if checkPortFree(ip, port) == nil {
				return port, nil
			}
		}
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("listen on %s: %w", ip, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ephemeralRangeStart reads the first port of Linux's ephemeral range, or
// returns the kernel's default where the file is missing or unreadable.
func ephemeralRangeStart() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return defaultEphemeralLo
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return defaultEphemeralLo
	}
	lo, err := strconv.Atoi(fields[0])
	if err != nil || lo <= 0 {
		return defaultEphemeralLo
	}
	return lo
}

// checkPortFree returns an error when nothing can listen on ip:port, usually
// because another process (or another dev server) already uses it.
func checkPortFree(ip string, port int) error {
	l, err := net.Listen("tcp", hostPort(ip, port))
	if err != nil {
		return fmt.Errorf("port %d on %s is not available: %w", port, ip, err)
	}
	if err := l.Close(); err != nil {
		return fmt.Errorf("release port %d: %w", port, err)
	}
	return nil
}

// hostPort joins ip and port, bracketing IPv6 addresses.
func hostPort(ip string, port int) string {
	return net.JoinHostPort(ip, strconv.Itoa(port))
}
