package netguard

import (
	"net/http"
	"time"
)

// Transport returns an HTTP transport that dials every connection through
// the guard. It uses no proxy on purpose: through a proxy the guard would
// check the proxy's address, not the destination's. Callers adjust timeouts
// and pool sizes on the copy they get.
func Transport() *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		DialContext:         DialContext,
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: 10 * time.Second,
		IdleConnTimeout:     90 * time.Second,
		MaxIdleConnsPerHost: 8,
	}
}
