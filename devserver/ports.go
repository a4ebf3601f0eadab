package devserver

import (
	"fmt"
	"net"
	"strconv"
)

// freePort asks the kernel for a currently unused TCP port on ip.
func freePort(ip string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return 0, fmt.Errorf("listen on %s: %w", ip, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
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
