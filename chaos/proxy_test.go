package chaos

import (
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// faultProxy is a TCP proxy between sluice and a source database that can
// drop every connection at once or stall them: bytes stop flowing both
// ways while the connections stay open, and new connections are accepted
// but hear nothing, like a hung server.
type faultProxy struct {
	ln      net.Listener
	target  string
	stalled atomic.Bool
	// stallAt, when positive, is the Down count at which the proxy stalls
	// itself: a poll from the test would let a fast read finish first.
	stallAt atomic.Int64
	// Down counts the bytes forwarded from the server to sluice.
	Down  atomic.Int64
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// newFaultProxy listens on a loopback port and forwards to target until the test ends.
func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy listen: %v", err)
	}
	p := &faultProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// Port is the port sluice should connect to.
func (p *faultProxy) Port() string {
	return strconv.Itoa(p.ln.Addr().(*net.TCPAddr).Port)
}

func (p *faultProxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			_ = client.Close()
			continue
		}
		p.track(client, server)
		p.wg.Add(2)
		go p.pipe(server, client, &p.Down)
		go p.pipe(client, server, nil)
	}
}

func (p *faultProxy) track(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
}

// pipe copies from src to dst, holding bytes back while the proxy is
// stalled, and closes both ends when either fails.
func (p *faultProxy) pipe(src, dst net.Conn, counter *atomic.Int64) {
	defer p.wg.Done()
	defer p.forget(src, dst)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		for n > 0 && p.stalled.Load() {
			time.Sleep(50 * time.Millisecond)
			if !p.tracked(src) {
				return
			}
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
			if counter != nil {
				p.maybeStall(counter.Add(int64(n)))
			}
		}
		if err != nil {
			return // EOF, or a connection DropAll closed
		}
	}
}

func (p *faultProxy) tracked(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.conns[c]
	return ok
}

func (p *faultProxy) forget(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		delete(p.conns, c)
		_ = c.Close()
	}
}

// DropAll resets every open connection, as a crashed server or a broken
// network would; it returns how many it dropped.
func (p *faultProxy) DropAll() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.conns) / 2
	for c := range p.conns {
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = c.Close()
		delete(p.conns, c)
	}
	return n
}

// Stall stops (true) or resumes (false) the flow of bytes on every connection.
func (p *faultProxy) Stall(on bool) { p.stalled.Store(on) }

// StallAfter arms the proxy to stall once n more bytes have come down.
func (p *faultProxy) StallAfter(n int64) { p.stallAt.Store(p.Down.Load() + n) }

// Stalled reports whether bytes are held back.
func (p *faultProxy) Stalled() bool { return p.stalled.Load() }

func (p *faultProxy) maybeStall(down int64) {
	if at := p.stallAt.Load(); at > 0 && down >= at && p.stallAt.CompareAndSwap(at, 0) {
		p.stalled.Store(true)
	}
}

func (p *faultProxy) close() {
	_ = p.ln.Close()
	p.Stall(false)
	p.DropAll()
	p.wg.Wait()
}
