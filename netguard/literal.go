package netguard

import (
	"net/netip"
	"strconv"
	"strings"
)

// parseLiteral reads host as an IP address in every spelling a resolver
// library accepts: netip's (IPv6 in brackets or not, IPv4-mapped IPv6, a zone)
// and inet_aton's IPv4 forms (127.1, 0x7f000001, 017700000001), with a
// trailing dot. Without it "127.1" would go to DNS here but reach loopback
// through a C resolver, and a check by spelling would be fooled.
func parseLiteral(host string) (netip.Addr, bool) {
	h := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"), ".")
	if addr, err := netip.ParseAddr(h); err == nil {
		return addr.WithZone("").Unmap(), true
	}
	return parseInetAton(h)
}

// parseInetAton parses the IPv4 forms of inet_aton: one to four parts, each
// decimal, octal (leading 0) or hexadecimal (0x), the last part filling the
// remaining bytes.
func parseInetAton(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if s == "" || len(parts) > 4 {
		return netip.Addr{}, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		v, ok := atonPart(p)
		if !ok {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	var n uint64
	for i, v := range vals[:len(vals)-1] {
		if v > 0xff {
			return netip.Addr{}, false
		}
		n |= v << (8 * (3 - i))
	}
	last := vals[len(vals)-1]
	if last >= 1<<(8*(5-len(vals))) {
		return netip.Addr{}, false
	}
	n |= last
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}

func atonPart(p string) (uint64, bool) {
	base, digits := 10, p
	switch {
	case strings.HasPrefix(p, "0x") || strings.HasPrefix(p, "0X"):
		base, digits = 16, p[2:]
	case len(p) > 1 && p[0] == '0':
		base, digits = 8, p[1:]
	}
	if digits == "" {
		return 0, false
	}
	v, err := strconv.ParseUint(digits, base, 32)
	return v, err == nil
}
