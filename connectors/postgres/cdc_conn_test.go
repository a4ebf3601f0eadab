package postgres

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// A connection reading in gulps hands over every byte in order, whether
// the server writes a byte at a time, pauses or writes a lot at once, and
// its read deadline still ends a wait.
func TestGulpingConnDeliversEveryByte(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var sent bytes.Buffer
	for i := range 200_000 {
		sent.WriteByte(byte(i * 7))
	}
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		data := sent.Bytes()
		for i := 0; i < 1000; i++ { // a change at a time, as a walsender sends
			_, _ = c.Write(data[i*10 : i*10+10])
		}
		time.Sleep(20 * time.Millisecond)
		_, _ = c.Write(data[10000:])
		time.Sleep(300 * time.Millisecond) // silent: the reader's deadline passes
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := newGulpingConn(raw)
	defer c.Close()
	got := make([]byte, sent.Len())
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read: %v", err)
	}
	if !bytes.Equal(got, sent.Bytes()) {
		t.Fatal("the bytes read differ from those sent")
	}
	if err := c.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	var ne net.Error
	if _, err := c.Read(make([]byte, 1)); err == nil || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("a read past the deadline answered %v, want a timeout", err)
	}
}
