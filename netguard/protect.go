package netguard

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Endpoint is one of sluice's own services that connections must never
// reach, whatever SLUICE_ALLOW_PRIVATE_NETWORKS says: its database (a
// connection there would read every team's integrations and runs) and its
// Temporal frontend and UI.
type Endpoint struct {
	// What names the service in refusals ("sluice's own database").
	What string
	Host string
	Port int
	// Database, when set, refuses only connections that name this database
	// (another database on the same server is a legitimate source). Empty
	// refuses every connection to Host:Port.
	Database string
}

var (
	protectMu sync.RWMutex
	protected []Endpoint
)

// Protect replaces the set of sluice's own endpoints that are always refused.
func Protect(endpoints ...Endpoint) {
	protectMu.Lock()
	defer protectMu.Unlock()
	protected = append([]Endpoint(nil), endpoints...)
}

// Protected returns the endpoints Protect set.
func Protected() []Endpoint {
	protectMu.RLock()
	defer protectMu.RUnlock()
	return append([]Endpoint(nil), protected...)
}

// CheckProtected refuses addr:port if it reaches one of sluice's own
// endpoints. database is the database the connection names ("" when the
// protocol names none, which counts as a match: only a connection that
// names another database may reach sluice's database server).
func CheckProtected(ctx context.Context, host string, addr netip.Addr, port int, database string) error {
	for _, ep := range Protected() {
		if ep.Port != port {
			continue
		}
		if ep.Database != "" && database != "" && !sameDatabase(ep.Database, database) {
			continue
		}
		if reaches(ctx, ep.Host, addr.Unmap()) {
			return &RefusedError{Host: host, Addr: addr.Unmap(), Reason: fmt.Sprintf(
				"%s (port %d); sluice never connects a source to its own services, whatever SLUICE_ALLOW_PRIVATE_NETWORKS says", ep.What, port)}
		}
	}
	return nil
}

// sameDatabase compares database names as a server would find them: Postgres
// folds nothing in a startup packet, but refusing a case variant costs
// nothing and leaves no doubt.
func sameDatabase(a, b string) bool { return strings.EqualFold(a, b) }

// CheckEndpoint refuses host:port (naming database) if any address host
// resolves to reaches one of sluice's own endpoints. Validation calls it
// before starting anything, so the refusal is a clear message; the dial
// checks again with the addresses it actually dials. A host that does not
// resolve passes here and fails at the dial.
func CheckEndpoint(ctx context.Context, host string, port int, database string) error {
	if len(Protected()) == 0 {
		return nil
	}
	addrs, err := resolveUnchecked(ctx, host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if err := CheckProtected(ctx, host, a, port, database); err != nil {
			return err
		}
	}
	return nil
}

// reaches reports whether dialing addr reaches the protected host: addr is
// one of its addresses, or both are this machine (a loopback address, an
// unspecified one, or an address of one of its interfaces: a server listening
// on all interfaces answers on each of them).
func reaches(ctx context.Context, protectedHost string, addr netip.Addr) bool {
	targetIsLocal := false
	for _, t := range ownAddrs(ctx, protectedHost) {
		if t == addr {
			return true
		}
		if isLocal(t) {
			targetIsLocal = true
		}
	}
	return targetIsLocal && isLocal(addr)
}

// ownCacheTTL is how long the addresses of sluice's own hosts and of this
// machine are reused before they are looked up again.
const ownCacheTTL = 30 * time.Second

var ownCache struct {
	sync.Mutex
	hosts     map[string]pin
	local     []netip.Addr
	localTime time.Time
}

// ownAddrs resolves one of sluice's own hosts with the machine's resolver
// (never a test's, which answers for connection hosts), cached briefly.
func ownAddrs(ctx context.Context, host string) []netip.Addr {
	if addr, ok := parseLiteral(host); ok {
		return []netip.Addr{addr}
	}
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	if name == "" || name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}
	}
	ownCache.Lock()
	p, ok := ownCache.hosts[name]
	ownCache.Unlock()
	if ok && time.Since(p.at) < ownCacheTTL {
		return p.addrs
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", name)
	if err != nil {
		return nil // not resolvable now: compared by nothing, as no connection could reach it either
	}
	for i, a := range addrs {
		addrs[i] = a.Unmap()
	}
	ownCache.Lock()
	if ownCache.hosts == nil {
		ownCache.hosts = map[string]pin{}
	}
	ownCache.hosts[name] = pin{addrs: addrs, at: time.Now()}
	ownCache.Unlock()
	return addrs
}

// isLocal reports whether addr is this machine.
func isLocal(addr netip.Addr) bool {
	if addr.IsLoopback() || addr.IsUnspecified() {
		return true
	}
	return slices.Contains(localAddrs(), addr)
}

// localAddrs lists the machine's interface addresses and those its host name
// resolves to, cached briefly.
func localAddrs() []netip.Addr {
	ownCache.Lock()
	defer ownCache.Unlock()
	if ownCache.local != nil && time.Since(ownCache.localTime) < ownCacheTTL {
		return ownCache.local
	}
	out := []netip.Addr{}
	if ifAddrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range ifAddrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				out = append(out, p.Addr().Unmap())
			}
		}
	}
	if name, err := os.Hostname(); err == nil {
		if addrs, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", name); err == nil {
			for _, a := range addrs {
				out = append(out, a.Unmap())
			}
		}
	}
	ownCache.local, ownCache.localTime = out, time.Now()
	return out
}

// EndpointFromHostPort builds an endpoint from "host:port".
func EndpointFromHostPort(what, hostport string) (Endpoint, error) {
	host, portText, err := net.SplitHostPort(hostport)
	if err != nil {
		return Endpoint{}, fmt.Errorf("%s address %q: %w", what, hostport, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return Endpoint{}, fmt.Errorf("%s address %q: port is not a number", what, hostport)
	}
	return Endpoint{What: what, Host: host, Port: port}, nil
}
