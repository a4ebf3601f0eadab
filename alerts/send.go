package alerts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/netguard"
)

// DefaultSendTimeout bounds one send: connecting, writing, and the answer's
// headers and first KiB.
const DefaultSendTimeout = 10 * time.Second

// maxAnswerRead is how much of a receiver's answer is read (for the log).
const maxAnswerRead = 1024

// Sender posts messages to channels through the network guard.
type Sender struct {
	client *http.Client
}

// NewSender returns a Sender whose sends take at most timeout (zero:
// DefaultSendTimeout). It follows no redirects: a receiver cannot send a
// notification on to an address the guard would refuse.
func NewSender(timeout time.Duration) *Sender {
	if timeout <= 0 {
		timeout = DefaultSendTimeout
	}
	transport := netguard.Transport()
	transport.TLSHandshakeTimeout, transport.ResponseHeaderTimeout = timeout, timeout
	transport.MaxIdleConnsPerHost, transport.ForceAttemptHTTP2 = 16, false
	return &Sender{client: &http.Client{
		Transport:     transport,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Result is how one send ended.
type Result struct {
	// StatusCode is the receiver's answer; 0 when there was none.
	StatusCode int
	// Err says why the send did not deliver; nil when it did.
	Err error
	// Retry is true when a later attempt may succeed: no answer, a timeout,
	// 5xx, 408 or 429. A 4xx answer or a refused address is final.
	Retry bool
}

// Delivered reports whether the receiver accepted the message.
func (r Result) Delivered() bool { return r.Err == nil }

// Send posts msg to the channel described by kind and cfg.
func (s *Sender) Send(ctx context.Context, kind string, cfg ChannelConfig, msg Message) Result {
	body, err := msg.body(kind)
	if err != nil {
		return Result{Err: fmt.Errorf("encode the message: %w", err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL, bytes.NewReader(body))
	if err != nil {
		return Result{Err: fmt.Errorf("build the request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "sluice-alerts/1")
	req.Header.Set("X-Sluice-Event", msg.Event)
	req.Header.Set("X-Sluice-Delivery", strconv.FormatInt(msg.DeliveryID, 10))
	if kind == KindWebhook && cfg.Secret != "" {
		req.Header.Set("X-Sluice-Signature", Sign(cfg.Secret, body))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		if errors.Is(err, netguard.ErrRefused) {
			return Result{Err: fmt.Errorf("the address is refused: %w", scrubURL(err))}
		}
		return Result{Err: fmt.Errorf("no answer: %w", scrubURL(err)), Retry: true}
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswerRead))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64*1024)) // let the connection be reused
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return Result{StatusCode: code}
	case code >= 300 && code < 400:
		return Result{StatusCode: code, Err: fmt.Errorf("the receiver answered %d (redirects are not followed)", code)}
	default:
		retry := code >= 500 || code == http.StatusRequestTimeout || code == http.StatusTooManyRequests
		return Result{StatusCode: code, Err: fmt.Errorf("the receiver answered %d%s", code, answerText(answer)), Retry: retry}
	}
}

// scrubURL drops the URL from a client error: a Slack URL is a credential
// and the error goes to the delivery log.
func scrubURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func answerText(answer []byte) string {
	text := strings.TrimSpace(strings.ToValidUTF8(string(answer), "?"))
	if text == "" {
		return ""
	}
	return ": " + truncate(text, 200)
}
