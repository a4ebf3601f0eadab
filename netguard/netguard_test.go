package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
)

func TestPolicy(t *testing.T) {
	cases := []struct {
		addr                    string
		refusedWhenPrivateOK    bool
		refusedWhenPrivateNotOK bool
	}{
		{"169.254.169.254", true, true},
		{"169.254.1.1", true, true},
		{"fd00:ec2::254", true, true},
		{"fe80::1", true, true},
		{"::ffff:169.254.169.254", true, true},
		{"100.100.100.200", true, true},
		{"0.0.0.0", true, true},
		{"127.0.0.1", false, true},
		{"::1", false, true},
		{"10.1.2.3", false, true},
		{"172.20.0.1", false, true},
		{"192.168.1.10", false, true},
		{"::ffff:127.0.0.1", false, true},
		{"fd12:3456::1", false, true},
		{"8.8.8.8", false, false},
		{"2001:4860:4860::8888", false, false},
	}
	for _, allow := range []bool{true, false} {
		SetAllowPrivate(allow)
		for _, tc := range cases {
			want := tc.refusedWhenPrivateNotOK
			if allow {
				want = tc.refusedWhenPrivateOK
			}
			err := Check(tc.addr, netip.MustParseAddr(tc.addr))
			if (err != nil) != want {
				t.Errorf("allowPrivate=%v %s: refused=%v, want %v (%v)", allow, tc.addr, err != nil, want, err)
			}
			if err != nil && !errors.Is(err, ErrRefused) {
				t.Errorf("%s: error does not match ErrRefused", tc.addr)
			}
		}
	}
}

func TestDialRefusesBeforeConnecting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- struct{}{}
			c.Close()
		}
	}()
	SetAllowPrivate(false)
	if _, err := DialContext(context.Background(), "tcp", ln.Addr().String()); !errors.Is(err, ErrRefused) {
		t.Fatalf("dial loopback with private networks refused: %v", err)
	}
	// "localhost" is resolved by the guard itself, so names are checked too.
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	if _, err := DialContext(context.Background(), "tcp", net.JoinHostPort("localhost", port)); !errors.Is(err, ErrRefused) {
		t.Fatalf("dial localhost with private networks refused: %v", err)
	}
	select {
	case <-accepted:
		t.Fatal("a refused dial reached the listener")
	default:
	}
	SetAllowPrivate(true)
	conn, err := DialContext(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("dial loopback with private networks allowed: %v", err)
	}
	conn.Close()
	if _, err := DialContext(context.Background(), "tcp", "169.254.169.254:80"); !errors.Is(err, ErrRefused) {
		t.Fatalf("metadata address not refused with private networks allowed: %v", err)
	}
}
