// Package httpapi is the shape every SaaS source that speaks JSON over HTTP
// shares: a client that dials through the network guard, authenticates each
// request, bounds every answer, and waits out rate limits; streams that say
// which columns an API object becomes and how; and a cursor-paginated walk
// over a list endpoint. A source package (connectors/stripe) adds only what
// is its own: paths, its list format, its cursor parameters.
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/netguard"
)

// DefaultMaxBodyBytes bounds one answer unless Options say otherwise: a page
// of a hundred API objects is well under a megabyte, the bound is for
// answers that are not what they should be.
const DefaultMaxBodyBytes = 32 << 20

// Options configure a Client.
type Options struct {
	// Base is the API's root URL (scheme, host, optional path), user input
	// checked by ParseBase; BaseField names its field in messages.
	Base, BaseField string
	// Authorize sets the request's credentials (an Authorization header).
	Authorize func(*http.Request)
	// Headers are sent with every request (an API version, a user agent).
	Headers map[string]string
	// MaxBodyBytes bounds each answer; zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Retry paces retries of rate-limited and failed requests.
	Retry RetryPolicy
	// ErrorMessage extracts the API's own message from an error answer; nil
	// shows the start of the body.
	ErrorMessage func(body []byte) string
	// Redact removes secrets from every message an error carries.
	Redact func(string) string
	// Name names the API in messages ("Stripe").
	Name string
}

// Client sends requests to one API.
type Client struct {
	opts   Options
	base   string
	client *http.Client
}

// New builds a client without sending a request.
func New(opts Options) (*Client, error) {
	if opts.BaseField == "" {
		opts.BaseField = "the API base URL"
	}
	base, err := ParseBase(opts.BaseField, opts.Base)
	if err != nil {
		return nil, err
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Redact == nil {
		opts.Redact = func(s string) string { return s }
	}
	opts.Retry = opts.Retry.withDefaults()
	// Redirects are refused: one could carry the credentials to another host.
	client := &http.Client{Transport: GuardedTransport(), CheckRedirect: func(*http.Request, []*http.Request) error {
		return errors.New("the API answered with a redirect, which sluice does not follow; check the base URL")
	}}
	return &Client{opts: opts, base: base, client: client}, nil
}

// GuardedTransport is the transport of every HTTP source: netguard's, with
// a bound on how long an API may take to start answering.
func GuardedTransport() *http.Transport {
	t := netguard.Transport()
	t.ResponseHeaderTimeout = 2 * time.Minute
	t.MaxIdleConnsPerHost = 4
	return t
}

// ParseBase checks a user-given base URL (the field called field) and
// returns it without a trailing slash. Credentials, queries and fragments
// in it are refused: the credentials have fields of their own.
func ParseBase(field, raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case raw == "":
		return "", fmt.Errorf("%s is required", field)
	case err != nil:
		return "", fmt.Errorf("%s is not a URL: %v", field, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%s must start with https:// (or http://)", field)
	case u.Host == "":
		return "", fmt.Errorf("%s has no host", field)
	case u.User != nil:
		return "", fmt.Errorf("%s must not hold a user or password; the credentials have fields of their own", field)
	case u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("%s must not have a query or fragment", field)
	}
	return u.Scheme + "://" + u.Host + strings.TrimRight(u.Path, "/"), nil
}

// Close releases idle connections.
func (c *Client) Close() { c.client.CloseIdleConnections() }

// Get sends GET base+path?query, retrying rate limits and server failures
// as the retry policy says, and returns the body of a 2xx answer. Any other
// answer is a *StatusError; a failure to reach the API is a *ConnectError.
func (c *Client) Get(ctx context.Context, path string, query url.Values) ([]byte, error) {
	target := c.base + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	for attempt := 1; ; attempt++ {
		body, status, header, err := c.once(ctx, target)
		if err == nil && status/100 == 2 {
			return body, nil
		}
		var failure error = &StatusError{API: c.opts.Name, Path: path, Status: status, Message: c.opts.Redact(c.message(body))}
		if err != nil {
			failure = err
		}
		wait, retry := c.opts.Retry.next(attempt, status, header, err)
		if !retry || ctx.Err() != nil {
			return nil, failure
		}
		select {
		case <-ctx.Done():
			return nil, failure
		case <-time.After(wait):
		}
	}
}

// once sends one request and reads its answer within the byte bound.
func (c *Client) once(ctx context.Context, target string) ([]byte, int, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	for k, v := range c.opts.Headers {
		req.Header.Set(k, v)
	}
	if c.opts.Authorize != nil {
		c.opts.Authorize(req)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, 0, nil, &ConnectError{API: c.opts.Name, Err: err, redact: c.opts.Redact}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBodyBytes+1))
	if err != nil {
		return nil, 0, nil, &ConnectError{API: c.opts.Name, Err: fmt.Errorf("read the answer: %w", err), redact: c.opts.Redact}
	}
	if int64(len(raw)) > c.opts.MaxBodyBytes {
		return nil, resp.StatusCode, resp.Header, &TooLargeError{API: c.opts.Name, Limit: c.opts.MaxBodyBytes}
	}
	return raw, resp.StatusCode, resp.Header, nil
}

// message is the API's own message in an error answer, or the body's start.
func (c *Client) message(body []byte) string {
	if c.opts.ErrorMessage != nil {
		if msg := c.opts.ErrorMessage(body); msg != "" {
			return msg
		}
	}
	return Excerpt(body)
}

// Excerpt is the start of an answer that carries no message of its own,
// short enough for an error.
func Excerpt(body []byte) string {
	msg := strings.TrimSpace(string(body))
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	if msg == "" {
		msg = "(empty answer)"
	}
	return msg
}

// WithRetry returns a client sharing c's connections that retries as p says
// (a validation that should answer quickly retries less than a sync).
func (c *Client) WithRetry(p RetryPolicy) *Client {
	cp := *c
	cp.opts.Retry = p.withDefaults()
	return &cp
}
