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
	"strconv"
	"strings"
	"sync"
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

// Resolver answers a name's addresses; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

var resolver atomic.Pointer[Resolver]

// SetResolver replaces the resolver every lookup goes through (nil restores
// the machine's), so a test can answer a name differently on each lookup.
func SetResolver(r Resolver) {
	shared.mu.Lock()
	shared.pins = nil
	shared.mu.Unlock()
	if r == nil {
		resolver.Store(nil)
		return
	}
	resolver.Store(&r)
}

func lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if r := resolver.Load(); r != nil {
		return (*r).LookupNetIP(ctx, "ip", host)
	}
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// Resolve resolves host and returns its addresses if every one of them is
// allowed. One forbidden address refuses the name: a resolver that mixes a
// public and a metadata address is not to be trusted. Host is read the way
// C resolvers read it too (127.1, 0x7f000001, a trailing dot, any case), so
// no spelling of an address escapes the check.
func Resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	addrs, err := resolveUnchecked(ctx, host)
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if err := Check(host, a); err != nil {
			return nil, err
		}
	}
	return addrs, nil
}

// resolveUnchecked answers host's addresses, unmapped, with one lookup at most.
func resolveUnchecked(ctx context.Context, host string) ([]netip.Addr, error) {
	if addr, ok := parseLiteral(host); ok {
		return []netip.Addr{addr}, nil
	}
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		// RFC 6761: always loopback, whatever a resolver says.
		return []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}, nil
	}
	addrs, err := lookup(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("resolve %s: no addresses", host)
	}
	out := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		out[i] = a.Unmap()
	}
	return out, nil
}

// dialTimeout bounds a single connection attempt.
const dialTimeout = 10 * time.Second

// pinTTL is how long a Dialer reuses a host's addresses before resolving it
// again. Within it every connection of a connector (pgx's TLS and plain
// attempts, a pool's new connections) dials the addresses of one lookup.
const pinTTL = time.Minute

// maxPins is how many hosts a Dialer remembers before it drops stale ones.
const maxPins = 1024

// Dialer resolves each host once per pinTTL, checks every address against
// the policy and sluice's own endpoints on every dial, and dials only those
// addresses: a name cannot answer a public address to one lookup and a
// private one to the next. A connector holds one; its zero value works.
type Dialer struct {
	// Database is the database the connector's protocol names; it decides
	// whether sluice's own database server may be reached (see Endpoint).
	Database string

	mu   sync.Mutex
	pins map[string]pin
}

type pin struct {
	addrs []netip.Addr
	at    time.Time
}

// shared serves the package-level DialContext and LookupHost.
var shared Dialer

// resolve answers host's addresses from the pin or one new lookup, and
// checks each against the policy (which may have changed since).
func (d *Dialer) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	d.mu.Lock()
	p, ok := d.pins[host]
	d.mu.Unlock()
	if !ok || time.Since(p.at) > pinTTL {
		addrs, err := resolveUnchecked(ctx, host)
		if err != nil {
			return nil, err
		}
		p = pin{addrs: addrs, at: time.Now()}
		d.mu.Lock()
		if d.pins == nil {
			d.pins = map[string]pin{}
		}
		if len(d.pins) >= maxPins { // the shared dialer sees every host; keep it small
			for h, old := range d.pins {
				if time.Since(old.at) > pinTTL {
					delete(d.pins, h)
				}
			}
		}
		d.pins[host] = p
		d.mu.Unlock()
	}
	for _, a := range p.addrs {
		if err := Check(host, a); err != nil {
			return nil, err
		}
	}
	return p.addrs, nil
}

// DialContext resolves and checks address's host, then dials the checked
// addresses in turn. Its signature fits net.Dialer-style hooks of drivers.
func (d *Dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, portText, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", address, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("dial %s: port is not a number", address)
	}
	addrs, err := d.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if err := CheckProtected(ctx, host, a, port, d.Database); err != nil {
			return nil, err
		}
	}
	nd := net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	var errs []error
	for _, a := range addrs {
		conn, err := nd.DialContext(ctx, network, net.JoinHostPort(a.String(), portText))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// LookupHost resolves and checks host, returning address strings; it fits
// pgx's LookupFunc so pgx dials only checked addresses.
func (d *Dialer) LookupHost(ctx context.Context, host string) ([]string, error) {
	addrs, err := d.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out, nil
}

// DialContext dials through a Dialer shared by connections that name no
// database (HTTP clients, MySQL's driver hook).
func DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return shared.DialContext(ctx, network, address)
}

// LookupHost resolves and checks host through the shared Dialer.
func LookupHost(ctx context.Context, host string) ([]string, error) {
	return shared.LookupHost(ctx, host)
}
