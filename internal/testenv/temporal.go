// Package testenv assembles a real sluice stack for tests: a freshly migrated
// Postgres database, an in-process Temporal server, a worker on its own task
// queue, the service and the HTTP router.
package testenv

import (
	"sync"

	"go.temporal.io/server/temporaltest"
)

var (
	temporalOnce   sync.Once
	temporalServer *temporaltest.TestServer
)

// TemporalServer returns the test binary's in-process Temporal server, started
// on first use. Tests share it and keep apart by task queue.
func TemporalServer() *temporaltest.TestServer {
	temporalOnce.Do(func() { temporalServer = temporaltest.NewServer() })
	return temporalServer
}
