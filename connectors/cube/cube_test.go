package cube

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/cube/cubetest"
	"github.com/sluice-dev/sluice/netguard"
)

const testToken = "eyJhbGciOiJIUzI1NiJ9.test-cube-token.sig"

// The tests below run against cubetest.Server, an in-process FAKE of a Cube
// deployment speaking Cube's documented REST wire format.

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
	srv := httptest.NewServer(&cubetest.Server{Token: testToken})
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
	fake := &cubetest.Server{Token: testToken, Waits: 2}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c := newTestConnector(t, srv.URL, "Bearer "+testToken)

	answer, err := c.Load(context.Background(), json.RawMessage(`{"measures": ["hubspot_deals.win_rate"], "timeDimensions": [{"dimension": "hubspot_deals.close_date", "granularity": "month"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if fake.Loads.Load() != 3 {
		t.Fatalf("%d /load requests, want 3 (two Continue wait, then the answer)", fake.Loads.Load())
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
	srv := httptest.NewServer(&cubetest.Server{Token: testToken, Waits: 1 << 30})
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
	srv := httptest.NewServer(&cubetest.Server{Token: testToken})
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
