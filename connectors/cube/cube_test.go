package cube

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/netguard"
)

const testToken = "eyJhbGciOiJIUzI1NiJ9.test-cube-token.sig"

// fakeCube is an in-process FAKE of a Cube deployment's REST API, speaking
// the wire format Cube documents: GET /cubejs-api/v1/meta answers
// {"cubes": [...]}, POST /cubejs-api/v1/load takes {"query": …} and answers
// {"query", "data", "annotation", …}, first answering HTTP 200
// {"error": "Continue wait"} (as Cube does while a query runs) `waits`
// times. A token other than testToken gets 403; a query without members
// gets Cube's 400.
type fakeCube struct {
	waits int32
	loads atomic.Int32
}

func (f *fakeCube) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if auth := r.Header.Get("Authorization"); auth != testToken && auth != "Bearer "+testToken {
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"error": "Invalid token"}`)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/cubejs-api/v1/meta":
		_, _ = io.WriteString(w, `{"cubes": [{"name": "hubspot_deals", "measures": [], "dimensions": []}, {"name": "companies"}]}`)
	case r.Method == http.MethodPost && r.URL.Path == "/cubejs-api/v1/load":
		var body struct {
			Query map[string]any `json:"query"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Query == nil {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error": "Query should be a JSON object"}`)
			return
		}
		if measures, _ := body.Query["measures"].([]any); len(measures) == 0 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error": "Query should contain either measures, dimensions or timeDimensions with granularities in order to be valid"}`)
			return
		}
		if f.loads.Add(1) <= f.waits {
			_, _ = io.WriteString(w, `{"error": "Continue wait"}`)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"query":           body.Query,
			"data":            []map[string]any{{"hubspot_deals.win_rate": "0.5", "hubspot_deals.close_date.month": "2024-01-01T00:00:00.000"}},
			"annotation":      map[string]any{"measures": map[string]any{"hubspot_deals.win_rate": map[string]any{"title": "Deals Win Rate", "type": "number"}}},
			"lastRefreshTime": "2024-02-01T00:00:00.000Z",
		})
	default:
		http.NotFound(w, r)
	}
}

func newTestConnector(t *testing.T, apiURL, token string) *Connector {
	t.Helper()
	spec, _ := connectors.Lookup("cube")
	c, err := New(connectors.NewCredentials(spec, map[string]any{"api_url": apiURL, "token": token}))
	if err != nil {
		t.Fatal(err)
	}
	c.wait, c.maxWait = 5*time.Millisecond, 20*time.Millisecond
	return c
}

func TestValidateAgainstFakeCube(t *testing.T) {
	netguard.SetAllowPrivate(true)
	srv := httptest.NewServer(&fakeCube{})
	defer srv.Close()

	report, err := newTestConnector(t, srv.URL+"/cubejs-api/v1/", testToken).Validate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(report.Schemas, ",") != "hubspot_deals,companies" {
		t.Fatalf("schemas = %v", report.Schemas)
	}

	_, err = newTestConnector(t, srv.URL, "wrong-token-value").Validate(context.Background())
	var step *connectors.StepError
	if !errors.As(err, &step) || step.Step != connectors.StepAuthenticate || !strings.Contains(step.Message, "Invalid token") {
		t.Fatalf("wrong token: %v", err)
	}
	if strings.Contains(err.Error(), "wrong-token-value") {
		t.Fatal("the error shows the token")
	}
}

func TestLoadWaitsThroughContinueWait(t *testing.T) {
	netguard.SetAllowPrivate(true)
	fake := &fakeCube{waits: 2}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c := newTestConnector(t, srv.URL, "Bearer "+testToken)

	answer, err := c.Load(context.Background(), json.RawMessage(`{"measures": ["hubspot_deals.win_rate"], "timeDimensions": [{"dimension": "hubspot_deals.close_date", "granularity": "month"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if fake.loads.Load() != 3 {
		t.Fatalf("%d /load requests, want 3 (two Continue wait, then the answer)", fake.loads.Load())
	}
	var body struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal(answer, &body); err != nil || len(body.Data) != 1 || body.Data[0]["hubspot_deals.win_rate"] != "0.5" {
		t.Fatalf("answer = %s (%v)", answer, err)
	}

	_, err = c.Load(context.Background(), json.RawMessage(`{"measures": []}`))
	var qe *connectors.QueryError
	if !errors.As(err, &qe) || qe.Kind != connectors.QueryErrSyntax || !strings.Contains(qe.Message, "Query should contain") {
		t.Fatalf("bad query: %v", err)
	}
}

func TestLoadTimesOutWhileCubeWaits(t *testing.T) {
	netguard.SetAllowPrivate(true)
	srv := httptest.NewServer(&fakeCube{waits: 1 << 30})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := newTestConnector(t, srv.URL, testToken).Load(ctx, json.RawMessage(`{"measures": ["a.b"]}`))
	var qe *connectors.QueryError
	if !errors.As(err, &qe) || qe.Kind != connectors.QueryErrTimeout {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

// TestAPIURLGoesThroughTheNetworkGuard: api_url is user input, so a
// loopback or metadata address is refused unless the operator allows it.
func TestAPIURLGoesThroughTheNetworkGuard(t *testing.T) {
	srv := httptest.NewServer(&fakeCube{})
	defer srv.Close()
	netguard.SetAllowPrivate(false)
	defer netguard.SetAllowPrivate(true)
	_, err := newTestConnector(t, srv.URL, testToken).Validate(context.Background())
	if err == nil || !strings.Contains(err.Error(), "sluice does not connect there") {
		t.Fatalf("loopback Cube: %v", err)
	}
	_, err = newTestConnector(t, "http://169.254.169.254", testToken).Validate(context.Background())
	if err == nil || !strings.Contains(err.Error(), "link-local") {
		t.Fatalf("metadata address: %v", err)
	}
}

func TestBaseURL(t *testing.T) {
	good := map[string]string{
		"https://x.cubecloud.dev":                   "https://x.cubecloud.dev",
		"https://x.cubecloud.dev/cubejs-api/v1":     "https://x.cubecloud.dev",
		"http://cube.internal:4000/prefix/":         "http://cube.internal:4000/prefix",
		" https://x.cubecloud.dev/cubejs-api/v1/  ": "https://x.cubecloud.dev",
	}
	for in, want := range good {
		if got, err := baseURL(in); err != nil || got != want {
			t.Errorf("baseURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ftp://x", "https://user:pw@x.dev", "https://x.dev/?a=1", "x.dev"} {
		if _, err := baseURL(bad); err == nil {
			t.Errorf("baseURL(%q) accepted", bad)
		}
	}
}
