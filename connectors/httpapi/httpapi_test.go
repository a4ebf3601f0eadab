package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/netguard"
)

func TestRetryAfterIsHonouredAndCapped(t *testing.T) {
	p := RetryPolicy{Attempts: 3, MaxRetryAfter: 10 * time.Second}.withDefaults()
	h := http.Header{}
	h.Set("Retry-After", "2")
	if wait, ok := p.next(1, http.StatusTooManyRequests, h, nil); !ok || wait != 2*time.Second {
		t.Fatalf("Retry-After 2: %v %v", wait, ok)
	}
	h.Set("Retry-After", "3600")
	if wait, ok := p.next(1, http.StatusTooManyRequests, h, nil); !ok || wait != 10*time.Second {
		t.Fatalf("Retry-After 3600 with a 10s cap: %v %v", wait, ok)
	}
	h.Set("Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat))
	if wait, ok := p.next(1, http.StatusTooManyRequests, h, nil); !ok || wait != 10*time.Second {
		t.Fatalf("an HTTP date an hour away: %v %v", wait, ok)
	}
	if wait, ok := p.next(2, http.StatusBadGateway, http.Header{}, nil); !ok || wait < p.Base || wait > 2*p.Base {
		t.Fatalf("second backoff %v (base %v)", wait, p.Base)
	}
	if _, ok := p.next(3, http.StatusTooManyRequests, h, nil); ok {
		t.Fatal("retried past the attempts")
	}
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusNotFound} {
		if _, ok := p.next(1, status, http.Header{}, nil); ok {
			t.Fatalf("retried a %d", status)
		}
	}
	if _, ok := p.next(1, 0, nil, &TooLargeError{}); ok {
		t.Fatal("retried an answer over the bound")
	}
}

func TestFieldValues(t *testing.T) {
	cases := []struct {
		field Field
		raw   string
		want  any
	}{
		{Int("amount"), "1999", int64(1999)},
		{UnixTime("created"), "1700000000", time.Unix(1_700_000_000, 0).UTC()},
		{Bool("paid"), "true", true},
		{Float("rate"), "1.25", 1.25},
		{String("customer"), `"cus_1"`, "cus_1"},
		{String("customer"), `{"id": "cus_1", "object": "customer"}`, "cus_1"},
		{String("odd"), `[1, 2]`, "[1, 2]"},
		{JSON("metadata"), `{"plan": "pro"}`, connectors.JSON(`{"plan": "pro"}`)},
		{Int("absent"), "", nil},
		{Int("null"), "null", nil},
	}
	for _, c := range cases {
		got, err := c.field.Value(json.RawMessage(c.raw))
		if err != nil || got != c.want {
			t.Errorf("%s from %s: %#v %v, want %#v", c.field.Name, c.raw, got, err, c.want)
		}
	}
	for _, bad := range []struct {
		field Field
		raw   string
	}{{Int("amount"), "12.5"}, {UnixTime("created"), `"2024-01-01"`}, {Bool("paid"), `"yes"`}} {
		if _, err := bad.field.Value(json.RawMessage(bad.raw)); err == nil {
			t.Errorf("%s accepted %s", bad.field.Name, bad.raw)
		}
	}
}

func TestParseBaseRefusesWhatCouldLeakOrMislead(t *testing.T) {
	if got, err := ParseBase("api_base", "https://api.stripe.com/"); err != nil || got != "https://api.stripe.com" {
		t.Fatalf("plain base: %q %v", got, err)
	}
	for _, bad := range []string{"", "api.stripe.com", "ftp://x", "https://user:pw@x", "https://x/?a=1", "https://"} {
		if _, err := ParseBase("api_base", bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// A list whose pages lead back to one already read (a -> b -> a) fails
// instead of reading, and delivering, the same objects forever.
func TestWalkRefusesPagesThatLoop(t *testing.T) {
	netguard.SetAllowPrivate(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next := map[string]string{"": "a", "a": "b", "b": "a"}[r.URL.Query().Get("after")]
		_, _ = fmt.Fprintf(w, `{"data": [{"id": %q}], "next": %q}`, next, next)
	}))
	defer srv.Close()
	c, err := New(Options{Name: "Loop", Base: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	err = c.Walk(context.Background(), loopPager{}, "/items", nil, "", func(Page) error {
		if pages++; pages > 10 {
			t.Fatal("still walking after 10 pages")
		}
		return nil
	})
	var format *FormatError
	if !errors.As(err, &format) || !strings.Contains(err.Error(), "lead back") || pages != 3 {
		t.Fatalf("walk of looping pages: %v after %d pages; want a format error after 3", err, pages)
	}
}

type loopPager struct{}

func (loopPager) WithCursor(q url.Values, cursor string) url.Values {
	return url.Values{"after": {cursor}}
}

func (loopPager) Parse(path string, body []byte) (Page, error) {
	var p struct {
		Data []map[string]json.RawMessage `json:"data"`
		Next string                       `json:"next"`
	}
	err := json.Unmarshal(body, &p)
	return Page{Objects: p.Data, Next: p.Next}, err
}
