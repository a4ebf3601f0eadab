// Package config reads sluice's configuration from the environment, with
// command-line flags overriding it.
package config

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/syncspec"
)

// Config is everything a sluice process can be told.
type Config struct {
	DatabaseURL       string
	TemporalAddress   string
	TemporalNamespace string
	TaskQueue         string
	TemporalUIPort    int
	TemporalUIURL     string
	// PublicURL is where people reach the API and console; alert
	// notifications link there.
	PublicURL string
	// AlertLease, AlertRetryBase and AlertSendTimeout tune the alert
	// dispatcher (see package alerts); zero takes its defaults.
	AlertLease, AlertRetryBase, AlertSendTimeout time.Duration
	HTTPAddr                                     string
	DataDir                                      string
	SecretKey                                    string
	OldSecretKeys                                string // previous keys, comma-separated base64: they decrypt, never encrypt; environment only
	AllowPrivateNetworks                         bool
	ValidationTimeout                            time.Duration
	LogLevel                                     string
	QueryTimeout                                 time.Duration
	QueryMaxRows                                 int
	MaxInFlight                                  int
	ScanRate                                     Rate
	DiscoveryRate                                Rate
	DiscoveryTTL                                 time.Duration
	// EmbeddingsProvider is builtin or openai; the OpenAI fields configure an
	// OpenAI-compatible /v1/embeddings endpoint. Keys come only from the
	// environment, never flags (flags show in process lists).
	EmbeddingsProvider string
	OpenAIBaseURL      string
	OpenAIAPIKey       string
	EmbeddingsModel    string
	// LLMBaseURL, LLMAPIKey and LLMModel configure the OpenAI-compatible
	// chat-completions endpoint AI SQL prompts.
	LLMBaseURL string
	LLMAPIKey  string
	LLMModel   string
	// CopyHeartbeatTimeout and CopyChunkRows tune a worker's table copies:
	// how soon a dead worker's copy is retried elsewhere, and how many rows
	// a copy reads between resume points. Zero keeps sluice's defaults.
	CopyHeartbeatTimeout time.Duration
	CopyChunkRows        int
	// CDCWindowMB is how much WAL (MiB) one read of a cdc slot's changes
	// decodes before the run commits it and moves the slot; zero means 4096.
	CDCWindowMB int
	// LakeOrphanGrace is how old a lake file no snapshot references must be
	// before the worker removes it at the end of a run; zero means 24h.
	LakeOrphanGrace time.Duration
	// SyncTableParallelism is how many copies of one sync run (tables, or
	// key ranges of a split table) run at once when the sync does not say:
	// 1 to 32, default 2.
	SyncTableParallelism int
	// QueryMaxBytes bounds every query answer, QueryValueBytes each value
	// in it, and QueryMemoryBytes what all running queries reserve together
	// (environment only; zero keeps the defaults: 32 MiB, 1 MiB, 96 MiB).
	QueryMaxBytes    int64
	QueryValueBytes  int
	QueryMemoryBytes int64
	// AllowSuperuserSources accepts sources whose credentials have a
	// superuser's powers (validation then warns); refused by default.
	AllowSuperuserSources bool
	// LakeSnapshotRetention is how long lake maintenance keeps snapshots
	// (time travel's reach); LakeMaintenanceInterval how often each team's
	// schedule runs it.
	LakeSnapshotRetention   time.Duration
	LakeMaintenanceInterval time.Duration
	// LakeURL is where the teams' lakes keep their files: empty for
	// DataDir/lake, a local directory, or s3://bucket/prefix. An S3-compatible
	// service is set by S3Endpoint, S3Region and S3PathStyle; its credentials
	// come from the standard AWS chain (AWS_ACCESS_KEY_ID…), never from here.
	LakeURL     string
	S3Endpoint  string
	S3Region    string
	S3PathStyle bool
	// LakeCacheBytes bounds the local copies of a bucket's lake files.
	LakeCacheBytes int64
}

// Rate is a request limit per window, written "10/10s".
type Rate struct {
	Limit  int
	Window time.Duration
}

// String renders the rate as it is written in configuration.
func (r Rate) String() string { return fmt.Sprintf("%d/%s", r.Limit, r.Window) }

// Set parses "N/duration"; it makes Rate a flag.Value.
func (r *Rate) Set(s string) error {
	n, d, ok := strings.Cut(s, "/")
	limit, err := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err != nil || limit < 0 {
		return fmt.Errorf("rate %q: want N/duration, e.g. 10/10s", s)
	}
	window, err := time.ParseDuration(strings.TrimSpace(d))
	if err != nil || window <= 0 {
		return fmt.Errorf("rate %q: want N/duration, e.g. 10/10s", s)
	}
	r.Limit, r.Window = limit, window
	return nil
}

// DefaultDatabaseURL is used when DATABASE_URL is not set.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/sluice?sslmode=disable"

// FromEnv reads the environment, falling back to defaults; a value that does
// not parse is replaced by its default (LoadEnv reports it).
func FromEnv() Config {
	c, _ := LoadEnv()
	return c
}

// LoadEnv reads the environment like FromEnv and also returns an error
// naming every variable whose value does not parse, so a typo in a limit
// is not silently replaced by the default.
func LoadEnv() (Config, error) {
	var r envReader
	c := Config{
		DatabaseURL:          env("DATABASE_URL", DefaultDatabaseURL),
		TemporalAddress:      env("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
		TemporalNamespace:    env("TEMPORAL_NAMESPACE", "default"),
		TaskQueue:            env("SLUICE_TASK_QUEUE", "sluice"),
		TemporalUIPort:       r.int("SLUICE_TEMPORAL_UI_PORT", 8233),
		TemporalUIURL:        env("SLUICE_TEMPORAL_UI_URL", ""),
		HTTPAddr:             env("SLUICE_HTTP_ADDR", ":8080"),
		PublicURL:            env("SLUICE_PUBLIC_URL", ""),
		AlertLease:           r.duration("SLUICE_ALERT_LEASE", 0),
		AlertRetryBase:       r.duration("SLUICE_ALERT_RETRY_BASE", 0),
		AlertSendTimeout:     r.duration("SLUICE_ALERT_SEND_TIMEOUT", 0),
		DataDir:              env("SLUICE_DATA_DIR", "./.sluice"),
		SecretKey:            env("SLUICE_SECRET_KEY", ""),
		OldSecretKeys:        env("SLUICE_OLD_SECRET_KEYS", ""),
		AllowPrivateNetworks: r.bool("SLUICE_ALLOW_PRIVATE_NETWORKS", false),
		ValidationTimeout:    r.duration("SLUICE_VALIDATION_TIMEOUT", 30*time.Second),
		LogLevel:             env("SLUICE_LOG_LEVEL", "info"),
		QueryTimeout:         r.duration("SLUICE_QUERY_TIMEOUT", 30*time.Second),
		QueryMaxRows:         r.int("SLUICE_QUERY_MAX_ROWS", 10_000),
		QueryMaxBytes:        int64(r.int("SLUICE_MAX_RESULT_BYTES", 32<<20)),
		QueryValueBytes:      r.int("SLUICE_MAX_VALUE_BYTES", 1<<20),
		QueryMemoryBytes:     int64(r.int("SLUICE_QUERY_MEMORY_BYTES", 96<<20)),
		MaxInFlight:          r.int("SLUICE_MAX_IN_FLIGHT", 64),
		ScanRate:             r.rate("SLUICE_SCAN_RATE", Rate{Limit: 10, Window: 10 * time.Second}),
		DiscoveryRate:        r.rate("SLUICE_DISCOVERY_RATE", Rate{Limit: 30, Window: time.Minute}),
		DiscoveryTTL:         r.duration("SLUICE_DISCOVERY_TTL", 30*time.Minute),
		EmbeddingsProvider:   env("SLUICE_EMBEDDINGS_PROVIDER", "builtin"),
		OpenAIBaseURL:        env("SLUICE_OPENAI_BASE_URL", ""),
		OpenAIAPIKey:         env("SLUICE_OPENAI_API_KEY", ""),
		EmbeddingsModel:      env("SLUICE_EMBEDDINGS_MODEL", ""),
		LLMBaseURL:           env("SLUICE_LLM_BASE_URL", ""),
		LLMAPIKey:            env("SLUICE_LLM_API_KEY", ""),
		LLMModel:             env("SLUICE_LLM_MODEL", ""),
		CopyHeartbeatTimeout: r.duration("SLUICE_COPY_HEARTBEAT_TIMEOUT", 0),
		CopyChunkRows:        r.int("SLUICE_COPY_CHUNK_ROWS", 0),
		CDCWindowMB:          r.int("SLUICE_CDC_WINDOW_MB", 0),
		LakeOrphanGrace:      r.duration("SLUICE_LAKE_ORPHAN_GRACE", 0),
		SyncTableParallelism: r.intIn("SLUICE_SYNC_TABLE_PARALLELISM", syncspec.DefaultTableParallelism, syncspec.MinTableParallelism, syncspec.MaxTableParallelism),
		// Refused unless allowed: see connectors.SetAllowSuperuserSources.
		AllowSuperuserSources: r.bool("SLUICE_ALLOW_SUPERUSER_SOURCES", false),
		// Lake maintenance: see activities.LakeMaintenance and service/lake.
		LakeSnapshotRetention:   r.duration("SLUICE_LAKE_SNAPSHOT_RETENTION", 7*24*time.Hour),
		LakeMaintenanceInterval: r.duration("SLUICE_LAKE_MAINTENANCE_INTERVAL", 24*time.Hour),
		LakeURL:                 env("SLUICE_LAKE_URL", ""),
		S3Endpoint:              env("SLUICE_S3_ENDPOINT", ""),
		S3Region:                env("SLUICE_S3_REGION", ""),
		S3PathStyle:             r.bool("SLUICE_S3_PATH_STYLE", false),
		LakeCacheBytes:          r.int64("SLUICE_LAKE_CACHE_BYTES", 10<<30),
	}
	if len(r.problems) > 0 {
		return c, fmt.Errorf("invalid environment: %s", strings.Join(r.problems, "; "))
	}
	return c, nil
}

// BindDatabase registers the flag every command that touches sluice's database takes.
func (c *Config) BindDatabase(fs *flag.FlagSet) {
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "sluice's Postgres database (env DATABASE_URL)")
}

// BindServer registers the flags of dev, which serves the API and runs the
// worker in one process: every flag of both.
func (c *Config) BindServer(fs *flag.FlagSet) {
	c.BindAPI(fs)
	c.bindWorkerOnly(fs)
}

// BindAPI registers the flags `sluice api` uses, and no worker-only ones.
func (c *Config) BindAPI(fs *flag.FlagSet) {
	c.bindProcess(fs)
	fs.StringVar(&c.HTTPAddr, "http-addr", c.HTTPAddr, "address the HTTP API listens on (env SLUICE_HTTP_ADDR)")
	fs.DurationVar(&c.ValidationTimeout, "validation-timeout", c.ValidationTimeout, "how long creating an integration waits for validation (env SLUICE_VALIDATION_TIMEOUT)")
	fs.DurationVar(&c.QueryTimeout, "query-timeout", c.QueryTimeout, "statement timeout of ad-hoc queries (env SLUICE_QUERY_TIMEOUT)")
	fs.IntVar(&c.QueryMaxRows, "query-max-rows", c.QueryMaxRows, "row cap of /v1/query (env SLUICE_QUERY_MAX_ROWS)")
	fs.IntVar(&c.MaxInFlight, "max-in-flight", c.MaxInFlight, "requests served at once by each route group (integrations, queries, syncs and connections; observability); past it they answer 503 with Retry-After (env SLUICE_MAX_IN_FLIGHT)")
	fs.Var(&c.ScanRate, "scan-rate", "scans allowed per team, N/window (env SLUICE_SCAN_RATE)")
	fs.Var(&c.DiscoveryRate, "discovery-rate", "schema discovery calls reaching a source per team, N/window (env SLUICE_DISCOVERY_RATE)")
	fs.DurationVar(&c.DiscoveryTTL, "discovery-ttl", c.DiscoveryTTL, "how long discovery results are cached (env SLUICE_DISCOVERY_TTL)")
	fs.StringVar(&c.LLMBaseURL, "llm-base-url", c.LLMBaseURL, "OpenAI-compatible chat endpoint for AI SQL; key in env SLUICE_LLM_API_KEY (env SLUICE_LLM_BASE_URL)")
	fs.StringVar(&c.LLMModel, "llm-model", c.LLMModel, "chat model for AI SQL (env SLUICE_LLM_MODEL)")
}

// BindWorker registers the flags `sluice worker` uses, and no API-only ones.
func (c *Config) BindWorker(fs *flag.FlagSet) {
	c.bindProcess(fs)
	c.bindWorkerOnly(fs)
}

// BindTemporalClient registers what a command that only starts or signals
// workflows needs: sluice's database and where Temporal is.
func (c *Config) BindTemporalClient(fs *flag.FlagSet) {
	c.BindDatabase(fs)
	fs.StringVar(&c.TemporalAddress, "temporal-address", c.TemporalAddress, "Temporal frontend host:port (env TEMPORAL_ADDRESS)")
	fs.StringVar(&c.TemporalNamespace, "temporal-namespace", c.TemporalNamespace, "Temporal namespace (env TEMPORAL_NAMESPACE)")
	fs.StringVar(&c.TaskQueue, "task-queue", c.TaskQueue, "Temporal task queue of sluice's workflows; api and worker must agree (env SLUICE_TASK_QUEUE)")
}

// bindProcess registers the flags both the API and the worker use.
func (c *Config) bindProcess(fs *flag.FlagSet) {
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "where people reach sluice's API and console, for links in alert notifications; default http://localhost and the HTTP port (env SLUICE_PUBLIC_URL)")
	c.BindTemporalClient(fs)
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory for sluice's files (env SLUICE_DATA_DIR)")
	fs.StringVar(&c.SecretKey, "secret-key", c.SecretKey, "base64 of 32 bytes that encrypts stored secrets (env SLUICE_SECRET_KEY); previous keys that still decrypt go in env SLUICE_OLD_SECRET_KEYS, comma-separated")
	fs.BoolVar(&c.AllowPrivateNetworks, "allow-private-networks", c.AllowPrivateNetworks, "let connections reach loopback and private addresses (env SLUICE_ALLOW_PRIVATE_NETWORKS)")
	fs.BoolVar(&c.AllowSuperuserSources, "allow-superuser-sources", c.AllowSuperuserSources, "accept sources whose credentials are a superuser's, with a warning (env SLUICE_ALLOW_SUPERUSER_SOURCES)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (env SLUICE_LOG_LEVEL)")
	fs.StringVar(&c.EmbeddingsProvider, "embeddings-provider", c.EmbeddingsProvider, "schema embeddings: builtin or openai (env SLUICE_EMBEDDINGS_PROVIDER)")
	fs.StringVar(&c.OpenAIBaseURL, "openai-base-url", c.OpenAIBaseURL, "OpenAI-compatible embeddings endpoint, e.g. https://api.openai.com/v1; key in env SLUICE_OPENAI_API_KEY (env SLUICE_OPENAI_BASE_URL)")
	fs.StringVar(&c.EmbeddingsModel, "embeddings-model", c.EmbeddingsModel, "embedding model of the openai provider (env SLUICE_EMBEDDINGS_MODEL)")
	fs.StringVar(&c.LakeURL, "lake-url", c.LakeURL, "where the lakes' files are: empty for <data-dir>/lake, a directory, or s3://bucket/prefix; api and workers must agree (env SLUICE_LAKE_URL)")
	fs.StringVar(&c.S3Endpoint, "s3-endpoint", c.S3Endpoint, "URL of an S3-compatible service for an s3:// lake, empty for AWS; credentials from the standard AWS variables (env SLUICE_S3_ENDPOINT)")
	fs.StringVar(&c.S3Region, "s3-region", c.S3Region, "region of an s3:// lake's bucket, empty for AWS_REGION or us-east-1 (env SLUICE_S3_REGION)")
	fs.BoolVar(&c.S3PathStyle, "s3-path-style", c.S3PathStyle, "address an s3:// lake's bucket in the URL path, as most S3-compatible services want (env SLUICE_S3_PATH_STYLE)")
	fs.Int64Var(&c.LakeCacheBytes, "lake-cache-bytes", c.LakeCacheBytes, "bound of the local copies of an s3:// lake's files (env SLUICE_LAKE_CACHE_BYTES)")
}

func (c *Config) bindWorkerOnly(fs *flag.FlagSet) {
	fs.DurationVar(&c.AlertLease, "alert-lease", c.AlertLease, "worker: how long a notification being sent is this worker's before another may send it again, 0 for 1m; above the send timeout (env SLUICE_ALERT_LEASE)")
	fs.DurationVar(&c.AlertRetryBase, "alert-retry-base", c.AlertRetryBase, "worker: wait before a failed notification's first retry, doubled per attempt up to 1h, 0 for 30s (env SLUICE_ALERT_RETRY_BASE)")
	fs.DurationVar(&c.AlertSendTimeout, "alert-send-timeout", c.AlertSendTimeout, "worker: bound of one notification send, 0 for 10s (env SLUICE_ALERT_SEND_TIMEOUT)")
	fs.DurationVar(&c.CopyHeartbeatTimeout, "copy-heartbeat-timeout", c.CopyHeartbeatTimeout, "worker: how long a table copy may go silent before it is retried, 0 for 30s (env SLUICE_COPY_HEARTBEAT_TIMEOUT)")
	fs.IntVar(&c.CDCWindowMB, "cdc-window-mb", c.CDCWindowMB, "worker: MiB of WAL one read of a cdc slot's changes decodes (the source keeps its answer in a temporary file until sent), 0 for 4096 (env SLUICE_CDC_WINDOW_MB)")
	fs.IntVar(&c.CopyChunkRows, "copy-chunk-rows", c.CopyChunkRows, "worker: rows a table copy reads between resume points, 0 for 500000 (env SLUICE_COPY_CHUNK_ROWS)")
	fs.Func("sync-table-parallelism", fmt.Sprintf("worker: copies of one sync run (tables or key ranges) at once when the sync sets no table_parallelism, %d to %d, default %d (env SLUICE_SYNC_TABLE_PARALLELISM)",
		syncspec.MinTableParallelism, syncspec.MaxTableParallelism, syncspec.DefaultTableParallelism), func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < syncspec.MinTableParallelism || n > syncspec.MaxTableParallelism {
			return fmt.Errorf("want an integer from %d to %d", syncspec.MinTableParallelism, syncspec.MaxTableParallelism)
		}
		c.SyncTableParallelism = n
		return nil
	})
	fs.DurationVar(&c.LakeOrphanGrace, "lake-orphan-grace", c.LakeOrphanGrace, "worker: age at which a finished run removes lake files no snapshot references, 0 for 24h; keep it above the longest table copy (env SLUICE_LAKE_ORPHAN_GRACE)")
	fs.DurationVar(&c.LakeSnapshotRetention, "lake-snapshot-retention", c.LakeSnapshotRetention, "worker: lake maintenance expires snapshots older than this; time travel reaches back this far (env SLUICE_LAKE_SNAPSHOT_RETENTION)")
	fs.DurationVar(&c.LakeMaintenanceInterval, "lake-maintenance-interval", c.LakeMaintenanceInterval, "worker: how often each team's lake maintenance schedule runs (env SLUICE_LAKE_MAINTENANCE_INTERVAL)")
}

// AbsoluteDataDir makes DataDir absolute, so lake file paths stay valid
// whatever directory a process runs in.
func (c *Config) AbsoluteDataDir() error {
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return fmt.Errorf("data dir %s: %w", c.DataDir, err)
	}
	c.DataDir = abs
	return nil
}

// RedactedDatabaseURL is the database URL without its password, for messages.
func (c Config) RedactedDatabaseURL() string {
	u, err := url.Parse(c.DatabaseURL)
	if err != nil {
		return "(unparseable DATABASE_URL)"
	}
	return u.Redacted()
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// envReader reads typed variables and remembers those that do not parse.
type envReader struct{ problems []string }

func (r *envReader) bad(name, want string) {
	r.problems = append(r.problems, fmt.Sprintf("%s=%q is not %s", name, os.Getenv(name), want))
}

func (r *envReader) int(name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.bad(name, "an integer")
		return def
	}
	return n
}

func (r *envReader) int64(name string, def int64) int64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		r.bad(name, "a byte count")
		return def
	}
	return n
}

// intIn reads an integer that must lie in lo..hi: one outside is a
// problem, so the process refuses to start rather than clamp it.
func (r *envReader) intIn(name string, def, lo, hi int) int {
	n := r.int(name, def)
	if n < lo || n > hi {
		r.bad(name, fmt.Sprintf("an integer from %d to %d", lo, hi))
		return def
	}
	return n
}

func (r *envReader) bool(name string, def bool) bool {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.bad(name, "true or false")
		return def
	}
	return b
}

// duration keeps def for 0, which the variables document as "the default".
func (r *envReader) duration(name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		r.bad(name, "a duration such as 30s")
		return def
	}
	if d == 0 {
		return def
	}
	return d
}

func (r *envReader) rate(name string, def Rate) Rate {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	var rt Rate
	if err := rt.Set(v); err != nil {
		r.bad(name, "N/duration such as 10/10s")
		return def
	}
	return rt
}

// PublicBase is PublicURL, or the local address of HTTPAddr's port.
func (c *Config) PublicBase() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	_, port, err := net.SplitHostPort(c.HTTPAddr)
	if err != nil || port == "" {
		port = "8080"
	}
	return "http://localhost:" + port
}
