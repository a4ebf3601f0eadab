// Package netguard is the one place every connector dials through. It
// resolves names itself, checks every address against sluice's network
// policy and dials only an address it checked, so a name that re-resolves
// to a forbidden address (DNS rebinding) cannot slip through.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync/atomic"
	"time"
)

var allowPrivate atomic.Bool

// SetAllowPrivate sets whether loopback and private addresses may be reached
// (SLUICE_ALLOW_PRIVATE_NETWORKS). Link-local and metadata addresses are
// refused either way.
func SetAllowPrivate(allow bool) { allowPrivate.Store(allow) }

// AllowsPrivate reports the current policy.
func AllowsPrivate() bool { return allowPrivate.Load() }

// ErrRefused is matched by every refusal.
var ErrRefused = errors.New("address refused by sluice's network policy")

// RefusedError says which address was refused and why.
type RefusedError struct {
	Host   string
	Addr   netip.Addr
	Reason string
}

func (e *RefusedError) Error() string {
	if e.Host != "" && e.Host != e.Addr.String() {
		return fmt.Sprintf("%s resolves to %s, %s; sluice does not connect there", e.Host, e.Addr, e.Reason)
	}
	return fmt.Sprintf("%s is %s; sluice does not connect there", e.Addr, e.Reason)
}

// Is makes errors.Is(err, ErrRefused) hold.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

var (
	alwaysRefused = []struct {
		prefix netip.Prefix
		reason string
	}{
		{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address (cloud metadata lives here)"},
		{netip.MustParsePrefix("fe80::/10"), "a link-local address"},
		{netip.MustParsePrefix("fd00:ec2::254/128"), "a cloud metadata address"},
		{netip.MustParsePrefix("100.100.100.200/32"), "a cloud metadata address"},
		{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified address"},
		{netip.MustParsePrefix("::/128"), "an unspecified address"},
		{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
		{netip.MustParsePrefix("ff00::/8"), "a multicast address"},
		{netip.MustParsePrefix("255.255.255.255/32"), "a broadcast address"},
	}
	privateRanges = []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"),
		netip.MustParsePrefix("::1/128"),
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"),
		netip.MustParsePrefix("100.64.0.0/10"),
		netip.MustParsePrefix("fc00::/7"),
	}
)

// Check returns a RefusedError if policy forbids addr.
func Check(host string, addr netip.Addr) error {
	addr = addr.Unmap()
	for _, r := range alwaysRefused {
		if r.prefix.Contains(addr) {
			return &RefusedError{Host: host, Addr: addr, Reason: r.reason}
		}
	}
	if !allowPrivate.Load() {
		for _, p := range privateRanges {
			if p.Contains(addr) {
				return &RefusedError{Host: host, Addr: addr,
					Reason: "a loopback or private address (set SLUICE_ALLOW_PRIVATE_NETWORKS=true to allow it)"}
			}
		}
	}
	return nil
}

// Resolve resolves host and returns its addresses if every one of them is
// allowed. One forbidden address refuses the name: a resolver that mixes a
// public and a metadata address is not to be trusted.
func Resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if addr, err := netip.ParseAddr(host); err == nil {
		if err := Check(host, addr); err != nil {
			return nil, err
		}
		return []netip.Addr{addr.Unmap()}, nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("resolve %s: no addresses", host)
	}
	for _, a := range addrs {
		if err := Check(host, a); err != nil {
			return nil, err
		}
	}
	out := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		out[i] = a.Unmap()
	}
	return out, nil
}

// dialTimeout bounds a single connection attempt.
const dialTimeout = 10 * time.Second

// DialContext resolves and checks address's host, then dials the checked
// addresses in turn. Its signature fits net.Dialer-style hooks of drivers.
func DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", address, err)
	}
	addrs, err := Resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	var errs []error
	for _, a := range addrs {
		conn, err := d.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// LookupHost resolves and checks host, returning address strings; it fits
// pgx's LookupFunc so pgx dials only checked addresses.
func LookupHost(ctx context.Context, host string) ([]string, error) {
	addrs, err := Resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out, nil
}
