package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// countingListener accepts and counts connections on a new loopback port.
func countingListener(t *testing.T) (int, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	n := new(atomic.Int32)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, n
}

// fixedResolver answers every name with the next of its answers (the last
// one once they run out) and counts lookups.
type fixedResolver struct {
	answers [][]netip.Addr
	calls   atomic.Int32
}

func (r *fixedResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	i := int(r.calls.Add(1)) - 1
	if i >= len(r.answers) {
		i = len(r.answers) - 1
	}
	return r.answers[i], nil
}

// TestOwnServicesRefusedInEverySpelling: with private networks allowed a
// team could register sluice's own database (or Temporal) as a source and
// read every team's state. Every spelling of the address must be refused,
// and another database on the same server must stay reachable.
func TestOwnServicesRefusedInEverySpelling(t *testing.T) {
	SetAllowPrivate(true)
	dbPort, dbHits := countingListener(t)
	temporalPort, temporalHits := countingListener(t)
	Protect(Endpoint{What: "sluice's own database", Host: "localhost", Port: dbPort, Database: "sluice"},
		Endpoint{What: "sluice's Temporal frontend", Host: "127.0.0.1", Port: temporalPort})
	t.Cleanup(func() { Protect() })
	SetResolver(&fixedResolver{answers: [][]netip.Addr{{netip.MustParseAddr("127.0.0.1")}}})
	t.Cleanup(func() { SetResolver(nil) })

	hosts := []string{"localhost", "LOCALHOST.", "127.0.0.1", "::1", "127.1", "0x7f000001", "017700000001", "2130706433",
		"127.0.0.1.", "::ffff:127.0.0.1", "127.9.9.9", "a-name-that-resolves-to-it.example"}
	if name, err := os.Hostname(); err == nil {
		hosts = append(hosts, name)
	}
	for _, a := range localAddrs() {
		if !a.IsLinkLocalUnicast() {
			hosts = append(hosts, a.String())
		}
	}
	ctx := context.Background()
	for _, host := range hosts {
		for _, database := range []string{"sluice", "SLUICE", ""} {
			d := &Dialer{Database: database}
			_, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(dbPort)))
			if !errors.Is(err, ErrRefused) {
				t.Errorf("dial own database as %s (database %q): %v, want refused", host, database, err)
			}
			if err := CheckEndpoint(ctx, host, dbPort, database); !errors.Is(err, ErrRefused) {
				t.Errorf("CheckEndpoint(%s, database %q): %v, want refused", host, database, err)
			}
		}
		d := &Dialer{Database: "other"}
		if _, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(temporalPort))); !errors.Is(err, ErrRefused) {
			t.Errorf("dial Temporal as %s: %v, want refused", host, err)
		}
	}
	time.Sleep(100 * time.Millisecond)
	if dbHits.Load() != 0 || temporalHits.Load() != 0 {
		t.Fatalf("refused dials reached the servers: database %d, temporal %d connections", dbHits.Load(), temporalHits.Load())
	}

	// Another database on sluice's server is a legitimate source.
	conn, err := (&Dialer{Database: "analytics"}).DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(dbPort)))
	if err != nil {
		t.Fatalf("dial another database on the same server: %v", err)
	}
	conn.Close()
	if err := CheckEndpoint(ctx, "localhost", dbPort, "analytics"); err != nil {
		t.Fatalf("CheckEndpoint for another database: %v", err)
	}
	// The refusal holds whatever the private-network setting.
	SetAllowPrivate(false)
	defer SetAllowPrivate(true)
	if _, err := (&Dialer{Database: "sluice"}).DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(dbPort))); !errors.Is(err, ErrRefused) {
		t.Fatalf("with private networks refused: %v", err)
	}
}

// TestOneLookupPerConnection: a name that answers an allowed address to the
// first lookup and a forbidden one to the next must not get a second lookup;
// every dial goes to the address that was checked.
func TestOneLookupPerConnection(t *testing.T) {
	SetAllowPrivate(false)
	defer SetAllowPrivate(true)
	r := &fixedResolver{answers: [][]netip.Addr{{netip.MustParseAddr("203.0.113.7")}, {netip.MustParseAddr("10.0.0.5")}}}
	SetResolver(r)
	t.Cleanup(func() { SetResolver(nil) })
	d := &Dialer{}
	for range 3 {
		addrs, err := d.LookupHost(context.Background(), "rebind.example")
		if err != nil || len(addrs) != 1 || addrs[0] != "203.0.113.7" {
			t.Fatalf("LookupHost = %v, %v; want the first, checked answer", addrs, err)
		}
	}
	if n := r.calls.Load(); n != 1 {
		t.Fatalf("%d lookups of one host for one connector, want 1", n)
	}
}

func TestInetAtonSpellings(t *testing.T) {
	for in, want := range map[string]string{
		"127.1": "127.0.0.1", "0x7f000001": "127.0.0.1", "017700000001": "127.0.0.1", "2130706433": "127.0.0.1",
		"127.0.1": "127.0.0.1", "0x7f.1": "127.0.0.1", "169.254.43518": "169.254.169.254", "[::ffff:a9fe:a9fe]": "169.254.169.254",
		"10.0.0.1.": "10.0.0.1",
	} {
		got, ok := parseLiteral(in)
		if !ok || got.String() != want {
			t.Errorf("parseLiteral(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	for _, name := range []string{"db.example.com", "1.2.3.4.5", "256.1.1.1", "0x", "1e3", ""} {
		if got, ok := parseLiteral(name); ok {
			t.Errorf("parseLiteral(%q) = %v, want a name", name, got)
		}
	}
}

// TestSharedDialerDialsTheCheckedAddress: the dialer MySQL's driver hook and
// the HTTP clients (bigquery, snowflake, cube) use resolves a name once and
// dials the checked address on every later connection, even when the name
// then answers a forbidden address.
func TestSharedDialerDialsTheCheckedAddress(t *testing.T) {
	SetAllowPrivate(true)
	port, hits := countingListener(t)
	r := &fixedResolver{answers: [][]netip.Addr{{netip.MustParseAddr("127.0.0.1")}, {netip.MustParseAddr("169.254.169.254")}}}
	SetResolver(r)
	t.Cleanup(func() { SetResolver(nil) })
	for i := range 3 {
		conn, err := DialContext(context.Background(), "tcp", net.JoinHostPort("shared-rebind.example", strconv.Itoa(port)))
		if err != nil {
			t.Fatalf("dial %d: %v (after %d lookups)", i+1, err, r.calls.Load())
		}
		conn.Close()
	}
	if n := r.calls.Load(); n != 1 {
		t.Fatalf("%d lookups for 3 dials, want 1", n)
	}
	deadline := time.Now().Add(2 * time.Second)
	for hits.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if hits.Load() != 3 {
		t.Fatalf("the checked address received %d of 3 connections", hits.Load())
	}
}

func TestOwnEndpointsFromConfiguration(t *testing.T) {
	got, err := OwnEndpoints("postgres://u@db.internal:6543,replica.internal:6544/state?sslmode=disable", "temporal.internal:7233", 8233)
	if err != nil {
		t.Fatal(err)
	}
	want := []Endpoint{
		{What: "sluice's own database", Host: "db.internal", Port: 6543, Database: "state"},
		{What: "sluice's own database", Host: "replica.internal", Port: 6544, Database: "state"},
		{What: "sluice's Temporal frontend", Host: "temporal.internal", Port: 7233},
		{What: "sluice's Temporal UI", Host: "temporal.internal", Port: 8233},
	}
	if len(got) != len(want) {
		t.Fatalf("OwnEndpoints = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("endpoint %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	socket, err := OwnEndpoints("host=/var/run/postgresql dbname=sluice", "", 0)
	if err != nil || len(socket) != 1 || socket[0].Host != "localhost" || socket[0].Port != 5432 || socket[0].Database != "sluice" {
		t.Fatalf("a Unix socket URL: %+v, %v; want localhost:5432 database sluice", socket, err)
	}
}
