// Package service is sluice's domain layer. The API facades translate request
// shapes and call it; it writes state through the generated queries and
// starts or waits on Temporal workflows.
package service

import (
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/embeddings"
	"github.com/sluice-dev/sluice/lake"
	"github.com/sluice-dev/sluice/llm"
	"github.com/sluice-dev/sluice/ratelimit"
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
	// PublicURL is where people reach the API and console, for the links of
	// alert notifications.
	PublicURL string
	// TaskQueue overrides workflows.TaskQueue (tests give each worker its own).
	TaskQueue string
	// DataDir holds the teams' lake files (under lake/<team id>).
	DataDir string
	// Lakes is where the teams' lakes keep their files when SLUICE_LAKE_URL
	// is set; nil is DataDir/lake.
	Lakes *lake.Location

	// QueryTimeout is the statement timeout of ad-hoc queries.
	QueryTimeout time.Duration
	// QueryMaxRows caps /v1/query results.
	QueryMaxRows int
	// QueryMaxBytes and QueryValueBytes bound every answer's size and
	// each value in it; QueryMemoryBytes is what all running queries may
	// reserve together (query_memory.go).
	QueryMaxBytes    int64
	QueryValueBytes  int
	QueryMemoryBytes int64
	// ScanDefaultRows and ScanMaxRows are the Lytics scan row limits.
	ScanDefaultRows, ScanMaxRows int
	// ScanRate limits scans per team.
	ScanRate Rate
	// DiscoveryTTL is how long discovery results are served from cache.
	DiscoveryTTL time.Duration
	// DiscoveryRate limits discovery calls that reach a source, per team.
	DiscoveryRate Rate
	// Embeddings embeds schemas and search questions; nil means the builtin
	// provider. The worker must use the same provider and model.
	Embeddings embeddings.Provider
	// LLM is the chat model AI SQL prompts; unconfigured, AI SQL answers 503
	// with the schema context it would have sent.
	LLM llm.Config
}

// Rate is a number of requests per window.
type Rate struct {
	Limit  int
	Window time.Duration
}

// Service implements every operation the API offers.
type Service struct {
	pool     *pgxpool.Pool
	queries  *db.Queries
	temporal client.Client
	keyring  *secrets.Keyring
	opts     Options

	sources        *sourceCache
	lakes          sync.Map // team id → *lake.Lake
	scanLimit      *ratelimit.Limiter
	discoveryLimit *ratelimit.Limiter
	vectors        *vectorCache
	queryMemory    *queryMemory
	runWaits       *runWatcher
}

// New builds a service.
func New(pool *pgxpool.Pool, temporal client.Client, keyring *secrets.Keyring, opts Options) *Service {
	if opts.ValidationTimeout <= 0 {
		opts.ValidationTimeout = 30 * time.Second
	}
	if opts.TaskQueue == "" {
		opts.TaskQueue = workflows.TaskQueue
	}
	opts.setQueryDefaults()
	opts.setMemoryDefaults()
	if opts.Embeddings == nil {
		opts.Embeddings = embeddings.Builtin{}
	}
	return &Service{
		pool: pool, queries: db.New(pool), temporal: temporal, keyring: keyring, opts: opts,
		sources:        newSourceCache(),
		scanLimit:      ratelimit.New(opts.ScanRate.Limit, opts.ScanRate.Window),
		discoveryLimit: ratelimit.New(opts.DiscoveryRate.Limit, opts.DiscoveryRate.Window),
		vectors:        newVectorCache(),
		queryMemory:    newQueryMemory(opts.QueryMemoryBytes),
		runWaits:       newRunWatcher(),
	}
}

func (o *Options) setQueryDefaults() {
	if o.QueryTimeout <= 0 {
		o.QueryTimeout = 30 * time.Second
	}
	if o.QueryMaxRows <= 0 {
		o.QueryMaxRows = 10_000
	}
	if o.ScanDefaultRows <= 0 {
		o.ScanDefaultRows = 20
	}
	if o.ScanMaxRows <= 0 {
		o.ScanMaxRows = 100
	}
	if o.ScanRate.Window <= 0 {
		o.ScanRate = Rate{Limit: 10, Window: 10 * time.Second}
	}
	if o.DiscoveryTTL <= 0 {
		o.DiscoveryTTL = 30 * time.Minute
	}
	if o.DiscoveryRate.Window <= 0 {
		o.DiscoveryRate = Rate{Limit: 30, Window: time.Minute}
	}
}

// Close releases the connections the service keeps open to sources.
func (s *Service) Close() { s.sources.closeAll() }
