package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/netguard"
)

// sourceIdleTimeout is how long an unused source connection is kept open.
const sourceIdleTimeout = 2 * time.Minute

// sourceCache keeps one open connector per integration for the API's
// synchronous reads (discovery, queries), so a query does not pay for a new
// connection. An entry is keyed by the integration's updated_at: changed
// credentials get a new connector, and the old one closes once unused. An
// entry also remembers the network policy it was opened under: once the
// policy changes, its open connections are not reused, and the next use
// dials anew through the guard, which refuses what the policy now forbids.
// Connectors must be safe for concurrent use.
type sourceCache struct {
	mu      sync.Mutex
	entries map[uuid.UUID]*sourceEntry
	retired []*sourceEntry
}

type sourceEntry struct {
	version      time.Time
	allowPrivate bool
	conn         connectors.Connector
	refs         int
	lastUsed     time.Time
}

func newSourceCache() *sourceCache { return &sourceCache{entries: map[uuid.UUID]*sourceEntry{}} }

// acquire returns the integration's connector, opening it with open if the
// cache has none for this version, and a release function.
func (c *sourceCache) acquire(row db.Integration, open func() (connectors.Connector, error)) (connectors.Connector, func(), error) {
	c.mu.Lock()
	c.closeIdleLocked(time.Now())
	allowPrivate := netguard.AllowsPrivate()
	e, ok := c.entries[row.ID]
	if ok && (!e.version.Equal(row.UpdatedAt) || e.allowPrivate != allowPrivate) {
		c.retired = append(c.retired, e)
		delete(c.entries, row.ID)
		ok = false
	}
	if !ok {
		c.mu.Unlock()
		conn, err := open()
		if err != nil {
			return nil, nil, err
		}
		c.mu.Lock()
		if raced, exists := c.entries[row.ID]; exists && raced.version.Equal(row.UpdatedAt) && raced.allowPrivate == allowPrivate {
			go conn.Close(context.Background()) //nolint:errcheck // a concurrent request opened it first
			e = raced
		} else {
			if exists {
				c.retired = append(c.retired, raced)
			}
			e = &sourceEntry{version: row.UpdatedAt, allowPrivate: allowPrivate, conn: conn}
			c.entries[row.ID] = e
		}
	}
	e.refs++
	e.lastUsed = time.Now()
	c.mu.Unlock()
	return e.conn, func() {
		c.mu.Lock()
		e.refs--
		e.lastUsed = time.Now()
		c.mu.Unlock()
	}, nil
}

// forget retires an integration's connector (it was deleted or changed).
func (c *sourceCache) forget(id uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[id]; ok {
		c.retired = append(c.retired, e)
		delete(c.entries, id)
	}
}

// closeIdleLocked closes retired connectors nobody uses and live ones idle too long.
func (c *sourceCache) closeIdleLocked(now time.Time) {
	kept := c.retired[:0]
	for _, e := range c.retired {
		if e.refs == 0 {
			go e.conn.Close(context.Background()) //nolint:errcheck // best effort
		} else {
			kept = append(kept, e)
		}
	}
	c.retired = kept
	for id, e := range c.entries {
		if e.refs == 0 && now.Sub(e.lastUsed) > sourceIdleTimeout {
			go e.conn.Close(context.Background()) //nolint:errcheck // best effort
			delete(c.entries, id)
		}
	}
}

// closeAll closes every connector; the service is shutting down.
func (c *sourceCache) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, e := range c.entries {
		_ = e.conn.Close(context.Background())
		delete(c.entries, id)
	}
	for _, e := range c.retired {
		_ = e.conn.Close(context.Background())
	}
	c.retired = nil
}

// source returns the team's integration and its connector as capability T.
func source[T any](ctx context.Context, s *Service, teamID, id uuid.UUID) (T, db.Integration, func(), error) {
	var zero T
	row, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: id})
	if err != nil {
		return zero, row, nil, fmt.Errorf("integration %s: %w", id, dbError(err))
	}
	if row.Type == "ducklake" {
		// The team's lake answers schema discovery from its own catalog.
		lk, err := s.lakeOf(ctx, teamID)
		if err != nil {
			return zero, row, nil, err
		}
		if capability, ok := any(lk).(T); ok {
			return capability, row, func() {}, nil
		}
		return zero, row, nil, notSupportedOn(operationOf[T](), row.Type)
	}
	conn, release, err := s.sources.acquire(row, func() (connectors.Connector, error) {
		values, err := s.storedValues(row)
		if err != nil {
			return nil, err
		}
		spec, _ := connectors.Lookup(row.Type)
		conn, _, err := connectors.Open[connectors.Connector](ctx, row.Type, connectors.NewCredentials(spec, values))
		return conn, err
	})
	if err != nil {
		return zero, row, nil, sourceError(row, err, operationOf[T]())
	}
	capability, ok := conn.(T)
	if !ok {
		release()
		return zero, row, nil, notSupportedOn(operationOf[T](), row.Type)
	}
	return capability, row, release, nil
}

// sourceError explains why an integration's source could not be opened.
func sourceError(row db.Integration, err error, operation string) error {
	var stepErr *connectors.StepError
	switch {
	case errors.Is(err, connectors.ErrNotImplemented), errors.Is(err, connectors.ErrUnsupportedType):
		return notSupportedOn(operation, row.Type)
	case errors.As(err, &stepErr):
		return &connectors.QueryError{Kind: connectors.QueryErrConnection, Message: stepErr.Message}
	}
	return fmt.Errorf("open integration %s: %w", row.ID, err)
}
