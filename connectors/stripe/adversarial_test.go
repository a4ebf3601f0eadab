package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/httpapi"
	"github.com/sluice-dev/sluice/connectors/stripe/stripetest"
	"github.com/sluice-dev/sluice/netguard"
)

// TestHugeAnswerIsCutAtTheBound: an answer past the byte bound fails the
// read once (it would fail again), without reading it all.
func TestHugeAnswerIsCutAtTheBound(t *testing.T) {
	srv := &stripetest.Server{Key: fakeKey}
	srv.Answer("/v1/customers", `{"object": "list", "data": [{"id": "`+strings.Repeat("x", 2<<20)+`"}]}`)
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c := open(t, hs.URL, fakeKey, httpapi.Options{MaxBodyBytes: 1 << 20})
	_, err := c.Read(context.Background(), connectors.ReadRequest{Table: table("customers")}, &collector{})
	var tooLarge *httpapi.TooLargeError
	if !errors.As(err, &tooLarge) || len(srv.Queries()) != 1 {
		t.Fatalf("a 2 MB answer with a 1 MB bound: %v after %d requests", err, len(srv.Queries()))
	}
}

// TestMalformedAnswersFailClearly: not JSON, not a list, a value of the
// wrong type: each names what is wrong.
func TestMalformedAnswersFailClearly(t *testing.T) {
	for body, want := range map[string]string{
		`{"object": "list", "data": [`: "not JSON",
		`{"customers": []}`:            "not a list",
		`{"object": "list", "data": [{"id": "cus_1", "created": "yesterday"}]}`:       "property created",
		`{"object": "list", "data": [{"id": "cus_1", "balance": 1.5, "created": 1}]}`: "property balance",
	} {
		srv, c := fake(t)
		srv.Answer("/v1/customers", body)
		_, err := c.Read(context.Background(), connectors.ReadRequest{Table: table("customers")}, &collector{})
		var format *httpapi.FormatError
		if !errors.As(err, &format) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want a format error saying %q", body, err, want)
		}
	}
}

// TestPrivateAPIBaseIsRefused: api_base goes through the network guard like
// every user-given host: loopback only when private networks are allowed.
func TestPrivateAPIBaseIsRefused(t *testing.T) {
	_, c := fake(t)
	netguard.SetAllowPrivate(false)
	defer netguard.SetAllowPrivate(true)
	_, err := c.Validate(context.Background())
	var step *connectors.StepError
	if !errors.As(err, &step) || step.Step != connectors.StepConnect || !strings.Contains(err.Error(), "SLUICE_ALLOW_PRIVATE_NETWORKS") {
		t.Fatalf("loopback api_base with private networks refused: %v", err)
	}
	_, err = c.Read(context.Background(), connectors.ReadRequest{Table: table("charges")}, &collector{})
	if !errors.Is(err, netguard.ErrRefused) {
		t.Fatalf("a read from a refused address: %v", err)
	}
}

// TestAPIKeyIsInNoError: Stripe quotes a bad key back (stripe-mock whole, the
// fake too); sluice's messages never carry it.
func TestAPIKeyIsInNoError(t *testing.T) {
	srv := &stripetest.Server{Key: fakeKey}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	const wrong = "sk_live_wrong_key_that_must_stay_secret"
	c := open(t, hs.URL, wrong, httpapi.Options{})
	_, vErr := c.Validate(context.Background())
	_, rErr := c.Read(context.Background(), connectors.ReadRequest{Table: table("customers")}, &collector{})
	var status *httpapi.StatusError
	if !errors.As(rErr, &status) || status.Status != http.StatusUnauthorized {
		t.Fatalf("read with a wrong key: %v", rErr)
	}
	for _, err := range []error{vErr, rErr} {
		if err == nil || strings.Contains(err.Error(), wrong) {
			t.Fatalf("error %v", err)
		}
	}
	if _, err := New(connectors.NewCredentials(mustSpec(), map[string]any{"api_key": wrong, "api_base": "ftp://" + wrong}), httpapi.Options{}); err == nil || strings.Contains(err.Error(), wrong) {
		t.Fatalf("a bad api_base: %v", err)
	}
	if _, err := New(connectors.NewCredentials(mustSpec(), map[string]any{"api_key": wrong, "api_base": "https://%zz" + wrong}), httpapi.Options{}); err == nil || strings.Contains(err.Error(), wrong) {
		t.Fatalf("an api_base the URL parser quotes: %v", err)
	}
}

func mustSpec() connectors.TypeSpec {
	spec, _ := connectors.Lookup("stripe")
	return spec
}

// roundTrip sends a resume point through JSON, as a heartbeat does.
func roundTrip(t *testing.T, key []any) []any {
	t.Helper()
	b, err := json.Marshal(key)
	if err != nil {
		t.Fatal(err)
	}
	var out []any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
