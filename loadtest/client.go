package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// requestTimeout bounds one request; a server that queues past it shows as
// transport errors in the tables.
const requestTimeout = 30 * time.Second

// Client sends authenticated JSON requests to one sluice API.
type Client struct {
	base, token string
	transport   *http.Transport
	http        *http.Client
}

// NewClient returns a client for the API at base that keeps up to conns
// connections open, so load does not churn through ephemeral ports.
func NewClient(base, token string, conns int) *Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost, t.MaxConnsPerHost = conns, conns, 0
	return &Client{base: base, token: token, transport: t, http: &http.Client{Transport: t, Timeout: requestTimeout}}
}

// CloseIdle closes the connections no request is using, so the server's
// per-connection goroutines end before it is measured.
func (c *Client) CloseIdle() { c.transport.CloseIdleConnections() }

// Result is the outcome of one request.
type Result struct {
	Status     int
	Latency    time.Duration
	RetryAfter bool
	Body       []byte
	// Err is a transport error (no status).
	Err error
}

// Do sends method path with body (nil, or a value sent as JSON).
func (c *Client) Do(ctx context.Context, method, path string, body any) Result {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return Result{Err: fmt.Errorf("encode body of %s %s: %w", method, path, err)}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return Result{Err: fmt.Errorf("build %s %s: %w", method, path, err)}
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		return Result{Latency: time.Since(start), Err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	out := Result{Status: res.StatusCode, Latency: time.Since(start), RetryAfter: res.Header.Get("Retry-After") != "", Body: b}
	if err != nil {
		out.Err = fmt.Errorf("read answer of %s %s: %w", method, path, err)
	}
	return out
}

// JSON decodes the body of a result into a map.
func (r Result) JSON() (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		return nil, fmt.Errorf("answer (status %d) is not a JSON object: %w: %.200s", r.Status, err, r.Body)
	}
	return m, nil
}

// expect fails unless the result has status want, naming what was being done.
func (r Result) expect(what string, want int) (map[string]any, error) {
	if r.Err != nil {
		return nil, fmt.Errorf("%s: %w", what, r.Err)
	}
	if r.Status != want {
		return nil, fmt.Errorf("%s: status %d, want %d: %.300s", what, r.Status, want, r.Body)
	}
	return r.JSON()
}
