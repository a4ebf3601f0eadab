package stripe

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/httpapi"
	"github.com/sluice-dev/sluice/connectors/stripe/stripetest"
	"github.com/sluice-dev/sluice/netguard"
)

const fakeKey = "sk_test_fake_secret_key_0001"

// open builds a connector on base with key, with retries short enough for tests.
func open(t *testing.T, base, key string, tune httpapi.Options) *Connector {
	t.Helper()
	netguard.SetAllowPrivate(true) // the test servers are on loopback
	spec, _ := connectors.Lookup("stripe")
	tune.Retry = httpapi.RetryPolicy{Attempts: 4, Base: 10 * time.Millisecond, Max: 50 * time.Millisecond, MaxRetryAfter: 2 * time.Second}
	c, err := New(connectors.NewCredentials(spec, map[string]any{"api_key": key, "api_base": base}), tune)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// fake starts a stateful fake Stripe for the test.
func fake(t *testing.T) (*stripetest.Server, *Connector) {
	t.Helper()
	srv := &stripetest.Server{Key: fakeKey}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, open(t, hs.URL, fakeKey, httpapi.Options{})
}

// addCustomers stores n customers cus_0000.., created one second apart from first.
func addCustomers(srv *stripetest.Server, n int, first int64) {
	for i := range n {
		srv.Add("/v1/customers", map[string]any{"id": customerID(i), "object": "customer", "created": first + int64(i),
			"email": customerID(i) + "@example.com", "balance": -i, "delinquent": i%2 == 0, "metadata": map[string]any{"n": i}})
	}
}

func customerID(i int) string { return "cus_" + string(rune('A'+i/1000)) + pad(i%1000) }

func pad(i int) string {
	s := "00" + itoa(i)
	return s[len(s)-3:]
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// collector is a ChunkSink that keeps rows and resume points, and can fail
// the first batch after failAfterChunks resume points (a worker killed).
type collector struct {
	mu              sync.Mutex
	rows            [][]any
	keys            [][]any
	failAfterChunks int
}

var errKilled = errors.New("worker killed")

func (c *collector) WriteBatch(_ context.Context, rows [][]any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failAfterChunks > 0 && len(c.keys) >= c.failAfterChunks {
		return errKilled
	}
	for _, r := range rows {
		c.rows = append(c.rows, append([]any(nil), r...))
	}
	return nil
}

func (c *collector) ChunkDone(_ context.Context, lastKey []any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keys = append(c.keys, lastKey)
	return nil
}

// ids are the first column of every row collected.
func (c *collector) ids() []string {
	out := make([]string, len(c.rows))
	for i, r := range c.rows {
		out[i], _ = r[0].(string)
	}
	return out
}

func table(name string) connectors.TableRef { return connectors.TableRef{Schema: "stripe", Name: name} }
