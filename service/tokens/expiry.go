package tokens

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultAPIExpiry is how long a token made through the API lives when the
// request names no expiry: a leaked token stops working on its own.
const DefaultAPIExpiry = 90 * 24 * time.Hour

// MaxExpiry bounds how far ahead an expiry may be set.
const MaxExpiry = 10 * 365 * 24 * time.Hour

// ParseDuration reads an expiry span: a whole number of seconds, a Go
// duration ("720h", "90m") or a number of days ("90d").
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	switch {
	case strings.HasSuffix(s, "d"):
		n, err := strconv.ParseInt(strings.TrimSuffix(s, "d"), 10, 64)
		if err != nil || n > int64(MaxExpiry/(24*time.Hour)) {
			return 0, fmt.Errorf("%q is not a number of days such as 90d", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	default:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			if n > int64(MaxExpiry/time.Second) {
				return 0, fmt.Errorf("%q seconds is longer than %s", s, describe(MaxExpiry))
			}
			d = time.Duration(n) * time.Second
			break
		}
		parsed, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration: use seconds (3600), hours (720h) or days (90d)", s)
		}
		d = parsed
	}
	return d, CheckSpan(d)
}

// CheckSpan refuses an expiry span that is not positive or is too long.
func CheckSpan(d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("must be positive")
	}
	if d > MaxExpiry {
		return fmt.Errorf("must be at most %s", describe(MaxExpiry))
	}
	return nil
}

func describe(d time.Duration) string {
	return fmt.Sprintf("%d days", int64(d/(24*time.Hour)))
}
