package alerts

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/netguard"
)

func TestSignatureVerifiesOnlyTheSignedBody(t *testing.T) {
	body := []byte(`{"event":"sync_run.failed"}`)
	sig := Sign("whsec_0123456789abcdef", body)
	if !strings.HasPrefix(sig, "sha256=") || len(sig) != len("sha256=")+64 {
		t.Fatalf("signature %q", sig)
	}
	if !Verify("whsec_0123456789abcdef", body, sig) {
		t.Fatal("the signature does not verify its own body")
	}
	if Verify("whsec_0123456789abcdef", []byte(`{"event":"sync_run.failed "}`), sig) || Verify("another-secret-0000", body, sig) {
		t.Fatal("a changed body or another secret verifies")
	}
}

// TestSlackTextCannotForgeLinks: reported text with Slack's control
// characters shows as text, and the links are sluice's.
func TestSlackTextCannotForgeLinks(t *testing.T) {
	m := Message{Event: TaskRunFailed, Summary: `Task "x" failed: <https://evil.example|click here> & more`,
		Links: Links{Console: "http://sluice.test/#/tasks/x"}}
	body, err := m.body(KindSlack)
	if err != nil {
		t.Fatal(err)
	}
	var slack map[string]string
	if err := json.Unmarshal(body, &slack); err != nil {
		t.Fatal(err)
	}
	text := slack["text"]
	if strings.Contains(text, "<https://evil") || !strings.Contains(text, "&lt;https://evil.example|click here&gt; &amp; more") ||
		!strings.Contains(text, "<http://sluice.test/#/tasks/x|open in sluice>") {
		t.Fatalf("slack text = %q", text)
	}
}

// TestSendClassifiesAnswers: 2xx delivers; 5xx, 408, 429 and no answer in
// time are retried; other 4xx and redirects are final, and a redirect is
// not followed.
func TestSendClassifiesAnswers(t *testing.T) {
	netguard.SetAllowPrivate(true)
	var followed atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { followed.Add(1) }))
	defer target.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			time.Sleep(700 * time.Millisecond)
		case "/redirect":
			http.Redirect(w, r, target.URL, http.StatusFound)
		default:
			code := map[string]int{"/ok": 204, "/500": 500, "/408": 408, "/429": 429, "/404": 404, "/401": 401}[r.URL.Path]
			w.WriteHeader(code)
			_, _ = w.Write([]byte("answer text"))
		}
	}))
	defer srv.Close()
	s := NewSender(300 * time.Millisecond)
	for path, want := range map[string]struct {
		delivered, retry bool
		code             int
	}{
		"/ok": {true, false, 204}, "/500": {false, true, 500}, "/408": {false, true, 408}, "/429": {false, true, 429},
		"/404": {false, false, 404}, "/401": {false, false, 401}, "/redirect": {false, false, 302}, "/slow": {false, true, 0},
	} {
		res := s.Send(context.Background(), KindWebhook, ChannelConfig{URL: srv.URL + path, Secret: "s"}, Message{Event: TestEvent})
		if res.Delivered() != want.delivered || res.Retry != want.retry || res.StatusCode != want.code {
			t.Errorf("%s: delivered %v retry %v code %d (err %v), want %+v", path, res.Delivered(), res.Retry, res.StatusCode, res.Err, want)
		}
	}
	if followed.Load() != 0 {
		t.Fatal("a redirect was followed")
	}
}

// TestSendRefusesPrivateAddresses: with private networks not allowed (the
// default), a webhook on loopback is refused before any request, and the
// refusal is final.
func TestSendRefusesPrivateAddresses(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	netguard.SetAllowPrivate(false)
	defer netguard.SetAllowPrivate(true)
	res := NewSender(time.Second).Send(context.Background(), KindWebhook, ChannelConfig{URL: srv.URL}, Message{Event: TestEvent})
	if res.Delivered() || res.Retry || !strings.Contains(res.Err.Error(), "refused") || hits.Load() != 0 {
		t.Fatalf("result %+v (err %v), %d requests reached the receiver", res, res.Err, hits.Load())
	}
	if strings.Contains(res.Err.Error(), srv.URL) {
		t.Fatalf("the error quotes the URL: %v", res.Err)
	}
}

func TestCheckURL(t *testing.T) {
	for raw, want := range map[string]string{
		"": "required", "ftp://x.example": "https://", "https://": "no host", "https://a:b@x.example": "user name",
		"https://x.example/" + strings.Repeat("a", 3000): "longer",
	} {
		if _, err := CheckURL(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckURL(%.40q) = %v, want an error naming %q", raw, err, want)
		}
	}
	u, err := CheckURL("https://hooks.slack.com/services/T/B/SECRET")
	if err != nil || DisplayURL(u) != "https://hooks.slack.com/…" {
		t.Fatalf("display = %q (%v)", DisplayURL(u), err)
	}
}

func TestBackoffDoublesUpToAnHour(t *testing.T) {
	d := &Dispatcher{RetryBase: 30 * time.Second}
	got := []time.Duration{d.backoff(1), d.backoff(2), d.backoff(3), d.backoff(9), d.backoff(50)}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, time.Hour, time.Hour}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("backoffs %v, want %v", got, want)
		}
	}
}
