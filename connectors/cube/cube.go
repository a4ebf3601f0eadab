// Package cube connects to a Cube deployment (Cube Core or Cube Cloud) over
// its REST API, so teams that already model their metrics in Cube can send
// cube queries through sluice: the query is forwarded to
// /cubejs-api/v1/load and Cube's answer comes back as it is.
//
// The deployment's URL is user input, so every connection is dialed through
// the network guard; the token is a secret and never appears in an error.
package cube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/httpapi"
)

func init() {
	connectors.Register("cube", func(ctx context.Context, c connectors.Credentials) (connectors.Connector, error) {
		return New(c)
	})
}

// apiPath is where Cube serves its REST API under the deployment's URL.
const apiPath = "/cubejs-api/v1"

// maxResponseBytes bounds one answer from Cube (10,000 rows of a wide query
// fit comfortably).
const maxResponseBytes = 64 << 20

// Loader forwards a query in Cube's format to a Cube deployment.
type Loader interface {
	// Load returns Cube's /load answer for query, waiting through Cube's
	// "Continue wait" answers until it is ready or ctx ends.
	Load(ctx context.Context, query json.RawMessage) (json.RawMessage, error)
}

// Connector is a client of one Cube deployment.
type Connector struct {
	creds  connectors.Credentials
	base   string
	token  string
	client *http.Client
	// wait is the pause between "Continue wait" polls; it doubles up to maxWait.
	wait, maxWait time.Duration
}

var (
	_ connectors.Connector = (*Connector)(nil)
	_ connectors.Validator = (*Connector)(nil)
	_ Loader               = (*Connector)(nil)
)

// New builds a client from credentials (api_url, token) without a request.
func New(creds connectors.Credentials) (*Connector, error) {
	base, err := baseURL(creds.String("api_url"))
	if err != nil {
		return nil, &connectors.StepError{Step: connectors.StepConfig, Message: creds.Redact(err.Error())}
	}
	token := creds.String("token")
	if token == "" {
		return nil, &connectors.StepError{Step: connectors.StepConfig, Message: "token is required"}
	}
	client := &http.Client{Transport: httpapi.GuardedTransport(), CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return errors.New("stopped after 3 redirects")
		}
		return nil
	}}
	return &Connector{creds: creds, base: base, token: token, client: client, wait: 250 * time.Millisecond, maxWait: 2 * time.Second}, nil
}

// baseURL checks api_url and returns it without a trailing /cubejs-api/v1,
// which users often paste along with the host.
func baseURL(raw string) (string, error) {
	base, err := httpapi.ParseBase("api_url", raw)
	return strings.TrimSuffix(base, apiPath), err
}

// Close releases idle connections.
func (c *Connector) Close(context.Context) error {
	c.client.CloseIdleConnections()
	return nil
}

// Validate asks Cube for its metadata (/meta): the deployment must answer,
// accept the token, and it reports its cubes as the schemas.
func (c *Connector) Validate(ctx context.Context) (connectors.ValidationReport, error) {
	start := time.Now()
	status, body, err := c.do(ctx, http.MethodGet, "/meta", nil)
	if err != nil {
		return connectors.ValidationReport{}, connectors.NewStepError(connectors.StepConnect, err, c.creds)
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return connectors.ValidationReport{}, c.stepError(connectors.StepAuthenticate, status, body)
	case status/100 != 2:
		return connectors.ValidationReport{}, c.stepError(connectors.StepQuery, status, body)
	}
	var meta struct {
		Cubes []struct {
			Name string `json:"name"`
		} `json:"cubes"`
	}
	if err := json.Unmarshal(body, &meta); err != nil || meta.Cubes == nil {
		return connectors.ValidationReport{}, &connectors.StepError{Step: connectors.StepQuery,
			Message: "the answer to /cubejs-api/v1/meta is not Cube metadata; check api_url"}
	}
	names := make([]string, 0, len(meta.Cubes))
	for _, cube := range meta.Cubes {
		names = append(names, cube.Name)
	}
	return connectors.ValidationReport{Schemas: names, Elapsed: time.Since(start)}, nil
}

func (c *Connector) stepError(step string, status int, body []byte) error {
	return &connectors.StepError{Step: step, Message: c.creds.Redact(fmt.Sprintf("Cube answered HTTP %d: %s", status, cubeMessage(body)))}
}

// do sends one request to the API and reads the answer, bounded.
func (c *Connector) do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	var reader io.Reader
	if body != nil {
		reader = strings.NewReader(string(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+apiPath+path, reader)
	if err != nil {
		return 0, nil, fmt.Errorf("build request: %w", err)
	}
	// Cube takes the token itself as the Authorization header; "Bearer " is optional.
	req.Header.Set("Authorization", c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return 0, nil, fmt.Errorf("read Cube's answer: %w", err)
	}
	if len(raw) > maxResponseBytes {
		return 0, nil, fmt.Errorf("Cube's answer is larger than %d bytes", maxResponseBytes)
	}
	return resp.StatusCode, raw, nil
}

// cubeMessage extracts Cube's {"error": "..."} message, or a clipped body.
func cubeMessage(body []byte) string {
	var e struct {
		Error any `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != nil {
		if s, ok := e.Error.(string); ok {
			return s
		}
		b, _ := json.Marshal(e.Error)
		return string(b)
	}
	return httpapi.Excerpt(body)
}
