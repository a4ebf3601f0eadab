package cube

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// continueWait is what Cube answers (HTTP 200, {"error": "Continue wait"})
// while a query is still running; the client asks again.
const continueWait = "Continue wait"

// Load forwards query to /cubejs-api/v1/load and returns Cube's answer.
// While Cube answers "Continue wait" it asks again, pausing a little longer
// each time, until the answer is ready or ctx ends (a timeout error).
// Cube's own refusals keep Cube's message: a 400 is the query's fault, a
// 401 or 403 the token's.
func (c *Connector) Load(ctx context.Context, query json.RawMessage) (json.RawMessage, error) {
	body, err := json.Marshal(map[string]json.RawMessage{"query": query})
	if err != nil {
		return nil, fmt.Errorf("encode cube query: %w", err)
	}
	wait := c.wait
	for {
		status, answer, err := c.do(ctx, http.MethodPost, "/load", body)
		if err != nil {
			if ctx.Err() != nil {
				return nil, &connectors.QueryError{Kind: connectors.QueryErrTimeout, Message: "Cube did not answer in time"}
			}
			return nil, &connectors.QueryError{Kind: connectors.QueryErrConnection, Message: c.creds.Redact("cannot reach Cube: " + err.Error())}
		}
		if status == http.StatusOK && isContinueWait(answer) {
			select {
			case <-ctx.Done():
				return nil, &connectors.QueryError{Kind: connectors.QueryErrTimeout, Message: "Cube was still running the query when the time ran out"}
			case <-time.After(wait):
			}
			wait = min(2*wait, c.maxWait)
			continue
		}
		if status/100 == 2 {
			if !json.Valid(answer) {
				return nil, &connectors.QueryError{Kind: connectors.QueryErrConnection, Message: "Cube's answer is not JSON"}
			}
			return answer, nil
		}
		return nil, loadError(status, c.creds.Redact(cubeMessage(answer)))
	}
}

func isContinueWait(body []byte) bool {
	var e struct {
		Error string `json:"error"`
	}
	return json.Unmarshal(body, &e) == nil && e.Error == continueWait
}

// loadError classifies a refusal by Cube's status code.
func loadError(status int, msg string) error {
	kind := connectors.QueryErrOther
	switch {
	case status == http.StatusBadRequest:
		kind = connectors.QueryErrSyntax
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		kind = connectors.QueryErrPermission
	case status == http.StatusNotFound:
		return &connectors.QueryError{Kind: connectors.QueryErrConnection, Message: "Cube has no /cubejs-api/v1/load here; check the integration's api_url"}
	case status == http.StatusBadGateway, status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout:
		kind = connectors.QueryErrConnection
	}
	return &connectors.QueryError{Kind: kind, Message: fmt.Sprintf("Cube answered HTTP %d: %s", status, msg)}
}
