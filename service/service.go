// Package service is sluice's domain layer. The API facades translate request
// shapes and call it; it writes state through the generated queries and
// starts or waits on Temporal workflows.
package service

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/secrets"
	"github.com/sluice-dev/sluice/workflows"
)

// Options tune the service.
type Options struct {
	// ValidationTimeout is how long creating or updating an integration waits
	// for its validation workflow.
	ValidationTimeout time.Duration
	// TemporalUIURL, when set, is used to build links to workflow runs.
	TemporalUIURL string
	// Namespace is the Temporal namespace, for links.
	Namespace string
	// TaskQueue overrides workflows.TaskQueue (tests give each worker its own).
	TaskQueue string
}

// Service implements every operation the API offers.
type Service struct {
	pool     *pgxpool.Pool
	queries  *db.Queries
	temporal client.Client
	keyring  *secrets.Keyring
	opts     Options
}

// New builds a service.
func New(pool *pgxpool.Pool, temporal client.Client, keyring *secrets.Keyring, opts Options) *Service {
	if opts.ValidationTimeout <= 0 {
		opts.ValidationTimeout = 30 * time.Second
	}
	if opts.TaskQueue == "" {
		opts.TaskQueue = workflows.TaskQueue
	}
	return &Service{pool: pool, queries: db.New(pool), temporal: temporal, keyring: keyring, opts: opts}
}
