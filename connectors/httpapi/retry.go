package httpapi

import (
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/netguard"
)

// RetryPolicy paces the retries of one request: rate limits (429) wait what
// the API's Retry-After says, capped; server failures (5xx) and dropped
// connections back off exponentially with jitter.
type RetryPolicy struct {
	// Attempts is the most requests sent for one call; zero means 8.
	Attempts int
	// Base is the first backoff; it doubles up to Max. Zero means 500ms and 30s.
	Base, Max time.Duration
	// MaxRetryAfter caps a Retry-After the API asks for; zero means 2 minutes,
	// so a misbehaving answer cannot park a sync for hours.
	MaxRetryAfter time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = 8
	}
	if p.Base <= 0 {
		p.Base = 500 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 30 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 2 * time.Minute
	}
	return p
}

// next says whether attempt (1-based), which ended with status or err,
// is retried and after how long.
func (p RetryPolicy) next(attempt, status int, header http.Header, err error) (time.Duration, bool) {
	if attempt >= p.Attempts || !retryable(status, err) {
		return 0, false
	}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		if wait, ok := retryAfter(header.Get("Retry-After")); ok {
			return min(wait, p.MaxRetryAfter), true
		}
	}
	backoff := min(p.Base<<(attempt-1), p.Max)
	// Full jitter over the upper half, so clients that failed together spread out.
	return backoff/2 + rand.N(backoff/2+1), true
}

// retryable says whether another attempt can succeed: a rate limit, a
// server failure, or a connection that dropped. A refusal by the network
// policy, a bound exceeded or a client error will fail the same way again.
func retryable(status int, err error) bool {
	var tooLarge *TooLargeError
	switch {
	case err != nil && (errors.Is(err, netguard.ErrRefused) || errors.As(err, &tooLarge)):
		return false
	case err != nil:
		return true
	}
	return status == http.StatusTooManyRequests || status >= 500
}

// retryAfter parses Retry-After: delay seconds or an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return time.Duration(secs * float64(time.Second)), true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}
