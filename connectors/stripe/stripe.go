// Package stripe reads a Stripe account through its REST API as tables
// (customers, charges, invoices, ...), on the shared HTTP-API shape of
// connectors/httpapi. It discovers and reads; it runs no SQL: a Stripe
// integration's data is queried in the lake once a sync has copied it.
//
// api_base is user input, so every request is dialed through the network
// guard; api_key is a secret and is removed from every message.
package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/httpapi"
)

func init() {
	connectors.Register("stripe", func(ctx context.Context, c connectors.Credentials) (connectors.Connector, error) {
		return New(c, httpapi.Options{})
	})
}

// DefaultBase is Stripe's API.
const DefaultBase = "https://api.stripe.com"

// pageSize is the most objects Stripe returns in one list page.
const pageSize = 100

// Connector reads one Stripe account.
type Connector struct {
	creds  connectors.Credentials
	client *httpapi.Client
	// checkpointEvery is the longest a read goes without a resume point
	// while it has rows past the last one.
	checkpointEvery time.Duration
}

var (
	_ connectors.Connector  = (*Connector)(nil)
	_ connectors.Validator  = (*Connector)(nil)
	_ connectors.Discoverer = (*Connector)(nil)
	_ connectors.Reader     = (*Connector)(nil)
)

// New builds a client from credentials (api_key, api_base) without a
// request. tune's non-zero byte bound and retry policy replace the defaults
// (tests shorten them).
func New(creds connectors.Credentials, tune httpapi.Options) (*Connector, error) {
	key := creds.String("api_key")
	if key == "" {
		return nil, &connectors.StepError{Step: connectors.StepConfig, Message: "api_key is required"}
	}
	base := creds.String("api_base")
	if base == "" {
		base = DefaultBase
	}
	client, err := httpapi.New(httpapi.Options{
		Name: "Stripe", Base: base, BaseField: "api_base", MaxBodyBytes: tune.MaxBodyBytes, Retry: tune.Retry,
		Authorize:    func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+key) },
		Headers:      map[string]string{"User-Agent": "sluice (stripe connector)"},
		ErrorMessage: stripeMessage, Redact: creds.Redact,
	})
	if err != nil {
		// The parser quotes the URL, which a key pasted in the wrong field would be in.
		return nil, &connectors.StepError{Step: connectors.StepConfig, Message: creds.Redact(err.Error())}
	}
	return &Connector{creds: creds, client: client, checkpointEvery: 20 * time.Second}, nil
}

// Close releases idle connections.
func (c *Connector) Close(context.Context) error {
	c.client.Close()
	return nil
}

// Validate lists one object of every stream: Stripe must answer and accept
// the key, and a restricted key must be able to read at least one stream
// (the ones it cannot read are named in a warning).
func (c *Connector) Validate(ctx context.Context) (connectors.ValidationReport, error) {
	start := time.Now()
	report := connectors.ValidationReport{}
	// A person is waiting: one retry, not a sync's patience.
	client := c.client.WithRetry(httpapi.RetryPolicy{Attempts: 2, MaxRetryAfter: 5 * time.Second})
	for _, s := range streams {
		_, err := client.Get(ctx, s.path, url.Values{"limit": {"1"}})
		var status *httpapi.StatusError
		switch {
		case err == nil:
			report.Schemas = append(report.Schemas, schemaName+"."+s.Name)
		case errors.As(err, &status) && status.Unauthorized():
			return report, &connectors.StepError{Step: connectors.StepAuthenticate, Message: err.Error()}
		case errors.As(err, &status) && status.Forbidden():
			report.Warnings = append(report.Warnings, fmt.Sprintf("the key cannot read %s; syncs of stripe.%s will fail", s.path, s.Name))
		case errors.As(err, &status):
			return report, &connectors.StepError{Step: connectors.StepQuery, Message: err.Error()}
		default:
			return report, &connectors.StepError{Step: connectors.StepConnect, Message: c.creds.Redact(err.Error())}
		}
	}
	if len(report.Schemas) == 0 {
		return report, &connectors.StepError{Step: connectors.StepPermissions, Message: "the key can read none of the Stripe objects sluice syncs"}
	}
	report.Elapsed = time.Since(start)
	return report, nil
}

// Tables lists the streams; Stripe says nothing of their sizes.
func (c *Connector) Tables(context.Context) ([]connectors.Table, error) {
	out := make([]connectors.Table, len(streams))
	for i, s := range streams {
		out[i] = connectors.Table{Schema: schemaName, Name: s.Name, Kind: connectors.TableKindTable, Comment: s.Comment}
	}
	return out, nil
}

// Columns describes a stream.
func (c *Connector) Columns(_ context.Context, t connectors.TableRef) ([]connectors.Column, error) {
	s, err := streamOf(t)
	if err != nil {
		return nil, err
	}
	return s.Columns(), nil
}

// streamOf finds the stream a table reference names.
func streamOf(t connectors.TableRef) (stream, error) {
	s, ok := streamNamed(t.Name)
	if !ok || (t.Schema != "" && t.Schema != schemaName) {
		return stream{}, &connectors.QueryError{Kind: connectors.QueryErrNotFound,
			Message: fmt.Sprintf("a Stripe integration has no table %s; its tables are stripe.customers, stripe.charges and the others discovery lists", t)}
	}
	return s, nil
}

// stripeMessage extracts {"error": {"message": ...}} from an error answer.
func stripeMessage(body []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil {
		return e.Error.Message
	}
	return ""
}

// listPager is Stripe's list format: {"object": "list", "data": [...],
// "has_more": bool}, paged forward with starting_after=<last id>.
type listPager struct{}

func (listPager) WithCursor(query url.Values, cursor string) url.Values {
	q := url.Values{"limit": {strconv.Itoa(pageSize)}}
	for k, v := range query {
		q[k] = v
	}
	if cursor != "" {
		q.Set("starting_after", cursor)
	}
	return q
}

func (listPager) Parse(path string, body []byte) (httpapi.Page, error) {
	var list struct {
		Object  string                       `json:"object"`
		Data    []map[string]json.RawMessage `json:"data"`
		HasMore bool                         `json:"has_more"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return httpapi.Page{}, &httpapi.FormatError{API: "Stripe", Path: path, Problem: "not JSON: " + err.Error()}
	}
	if list.Object != "list" || list.Data == nil {
		return httpapi.Page{}, &httpapi.FormatError{API: "Stripe", Path: path, Problem: `not a list (no "object": "list" with "data")`}
	}
	page := httpapi.Page{Objects: list.Data}
	if list.HasMore && len(list.Data) > 0 {
		var id string
		if err := json.Unmarshal(list.Data[len(list.Data)-1]["id"], &id); err != nil || id == "" {
			return httpapi.Page{}, &httpapi.FormatError{API: "Stripe", Path: path, Problem: "the page's last object has no id to continue after"}
		}
		page.Next = id
	}
	return page, nil
}
