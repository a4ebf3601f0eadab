package api

import (
	"errors"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
)

// DefaultMaxInFlight bounds each route group's requests in flight when
// Options.MaxInFlight is zero: enough to keep the database pool and the
// sources busy, few enough that an admitted request waits seconds, not
// minutes, on a saturated server.
const DefaultMaxInFlight = 64

// loadShedder admits a bounded number of requests at once and refuses the
// rest immediately with its refusal (a 503, which fail answers with
// Retry-After), so overload shows as fast refusals rather than slow answers.
type loadShedder struct {
	slots   chan struct{}
	refusal error
}

func newLoadShedder(n int, refusal error) *loadShedder {
	return &loadShedder{slots: make(chan struct{}, n), refusal: refusal}
}

// busy is the refusal of the integration, query, sync, connection and token
// routes; the observability routes refuse with overloaded.
var busy = &requestError{status: http.StatusServiceUnavailable, code: "overloaded",
	msg: "sluice is serving more requests than it can at once; retry after the Retry-After delay"}

// shedding reports whether err is a load shedder's refusal. Refusals are
// expected under overload and counted by the HTTP metrics (status 503); a
// log line each would add to the very load being shed.
func shedding(err error) bool { return errors.Is(err, busy) || errors.Is(err, overloaded) }

// shedReleaseKey holds, in a request's context, the function that gives
// its slot back before the request ends (see releaseSlot).
const shedReleaseKey = "sluice.shed.release"

func (l *loadShedder) admit(c *gin.Context) {
	select {
	case l.slots <- struct{}{}:
		var once sync.Once
		release := func() { once.Do(func() { <-l.slots }) }
		c.Set(shedReleaseKey, release)
		defer release()
		c.Next()
	default:
		fail(c, l.refusal)
	}
}

// releaseSlot gives a request's slot back while it waits on something other
// than the server's work (a run to finish), so waiting requests, bounded on
// their own, do not fill the route group and refuse everyone else's.
func releaseSlot(c *gin.Context) {
	if release, ok := c.Get(shedReleaseKey); ok {
		release.(func())()
	}
}
