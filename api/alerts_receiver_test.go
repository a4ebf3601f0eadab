package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// receivedAlert is one request a test receiver got.
type receivedAlert struct {
	Delivery, Event, Signature string
	Body                       []byte
}

// alertReceiver is a real local HTTP server that answers each request with
// the next status of its script (then 200) and keeps what it got.
type alertReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []receivedAlert
	script []int
}

func newAlertReceiver(t *testing.T, script ...int) *alertReceiver {
	t.Helper()
	r := &alertReceiver{script: script}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, receivedAlert{Delivery: req.Header.Get("X-Sluice-Delivery"), Event: req.Header.Get("X-Sluice-Event"),
			Signature: req.Header.Get("X-Sluice-Signature"), Body: body})
		status := http.StatusOK
		if len(r.script) > 0 {
			status, r.script = r.script[0], r.script[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

// received returns a copy of what the receiver got so far.
func (r *alertReceiver) received() []receivedAlert {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedAlert(nil), r.got...)
}

// waitReceived waits until the receiver got n requests, then a moment more
// to see that no other arrives.
func (r *alertReceiver) waitReceived(t *testing.T, n int, within time.Duration) []receivedAlert {
	t.Helper()
	deadline := time.Now().Add(within)
	for len(r.received()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("receiver got %d requests in %s, want %d", len(r.received()), within, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond)
	got := r.received()
	if len(got) != n {
		t.Fatalf("receiver got %d requests, want exactly %d", len(got), n)
	}
	return got
}
