package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.temporal.io/sdk/client"

	"github.com/sluice-dev/sluice/alerts"
	"github.com/sluice-dev/sluice/api"
	"github.com/sluice-dev/sluice/config"
	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/embeddings"
	"github.com/sluice-dev/sluice/lake"
	"github.com/sluice-dev/sluice/llm"
	"github.com/sluice-dev/sluice/netguard"
	"github.com/sluice-dev/sluice/secrets"
	"github.com/sluice-dev/sluice/service"
	alertsvc "github.com/sluice-dev/sluice/service/alerts"
	"github.com/sluice-dev/sluice/telemetry"
	"github.com/sluice-dev/sluice/worker"
	"github.com/sluice-dev/sluice/workflows"
)

// backend is what the API and the worker share: sluice's database, Temporal and the keyring.
type backend struct {
	cfg      config.Config
	logger   *slog.Logger
	pool     *pgxpool.Pool
	temporal client.Client
	keyring  *secrets.Keyring
	registry *prometheus.Registry
	// embedder computes schema embeddings; the API and the worker must agree on it.
	embedder embeddings.Provider
	// lakes is where the lakes' files are (SLUICE_LAKE_URL); nil is the data directory.
	lakes *lake.Location
}

// connect opens the database and Temporal. Callers must call close.
func connect(ctx context.Context, cfg config.Config, logger *slog.Logger, keyring *secrets.Keyring) (*backend, error) {
	if err := cfg.AbsoluteDataDir(); err != nil {
		return nil, err
	}
	netguard.SetAllowPrivate(cfg.AllowPrivateNetworks)
	// sluice's own database and Temporal are never a source, whatever the
	// private-network setting: a team would read every team's state there.
	own, err := netguard.OwnEndpoints(cfg.DatabaseURL, cfg.TemporalAddress, cfg.TemporalUIPort)
	if err != nil {
		return nil, err
	}
	netguard.Protect(own...)
	connectors.SetAllowSuperuserSources(cfg.AllowSuperuserSources)
	embedder, err := embeddings.New(embeddings.Config{Provider: cfg.EmbeddingsProvider, BaseURL: cfg.OpenAIBaseURL,
		APIKey: cfg.OpenAIAPIKey, Model: cfg.EmbeddingsModel})
	if err != nil {
		return nil, err
	}
	// A bucket that cannot be listed stops the process here, before it
	// serves or takes work.
	lakes, err := lake.NewLocation(ctx, cfg.LakeURL, lake.LocationOptions{DataDir: cfg.DataDir, CacheBytes: cfg.LakeCacheBytes,
		S3: lake.S3Options{Endpoint: cfg.S3Endpoint, Region: cfg.S3Region, PathStyle: cfg.S3PathStyle}})
	if err != nil {
		return nil, err
	}
	logger.Debug("lake files", "location", lakes.String())
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return nil, err
	}
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	tc, err := dialTemporal(ctx, cfg, logger, telemetry.NewTemporalMetrics(registry))
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &backend{cfg: cfg, logger: logger, pool: pool, temporal: tc, keyring: keyring, registry: registry, embedder: embedder, lakes: lakes}, nil
}

func (b *backend) close() {
	b.temporal.Close()
	b.pool.Close()
}

func (b *backend) service() *service.Service {
	return service.New(b.pool, b.temporal, b.keyring, service.Options{
		ValidationTimeout: b.cfg.ValidationTimeout,
		TemporalUIURL:     b.cfg.TemporalUIURL,
		PublicURL:         b.cfg.PublicBase(),
		Namespace:         b.cfg.TemporalNamespace,
		DataDir:           b.cfg.DataDir,
		Lakes:             b.lakes,
		TaskQueue:         b.cfg.TaskQueue,
		QueryTimeout:      b.cfg.QueryTimeout,
		QueryMaxRows:      b.cfg.QueryMaxRows,
		QueryMaxBytes:     b.cfg.QueryMaxBytes,
		QueryValueBytes:   b.cfg.QueryValueBytes,
		QueryMemoryBytes:  b.cfg.QueryMemoryBytes,
		ScanRate:          service.Rate(b.cfg.ScanRate),
		DiscoveryRate:     service.Rate(b.cfg.DiscoveryRate),
		DiscoveryTTL:      b.cfg.DiscoveryTTL,
		Embeddings:        b.embedder,
		LLM:               llm.Config{BaseURL: b.cfg.LLMBaseURL, APIKey: b.cfg.LLMAPIKey, Model: b.cfg.LLMModel},
	})
}

// alertLinks build the links of alert notifications.
func (b *backend) alertLinks() alerts.LinkBase {
	return alerts.LinkBase{Public: b.cfg.PublicBase(), TemporalUI: b.cfg.TemporalUIURL, Namespace: b.cfg.TemporalNamespace}
}

// ready reports whether the database and Temporal answer, for /readyz.
func (b *backend) ready(ctx context.Context) error {
	if err := b.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if _, err := b.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("temporal: %w", err)
	}
	return nil
}

// serveHTTP serves the API on ln until ctx ends, then drains in-flight requests.
func (b *backend) serveHTTP(ctx context.Context, ln net.Listener) error {
	svc := b.service()
	defer svc.Close()
	router := api.NewRouter(svc, api.Options{Logger: b.logger, Registry: b.registry, Ready: b.ready, MaxInFlight: b.cfg.MaxInFlight,
		Lake: b.lakeService(), Alerts: alertsvc.New(b.pool, b.keyring, b.alertLinks())})
	srv := &http.Server{
		Handler:           router,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	b.logger.Info("API listening", slog.String("addr", ln.Addr().String()))
	select {
	case err := <-errc:
		return fmt.Errorf("serve HTTP: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down HTTP: %w", err)
	}
	return nil
}

// runWorkerUntil runs the Temporal worker until ctx ends.
func (b *backend) runWorkerUntil(ctx context.Context) error {
	svc := b.service()
	defer svc.Close()
	w := worker.New(b.temporal, worker.Deps{Keyring: b.keyring, Pool: b.pool, DataDir: b.cfg.DataDir, Lakes: b.lakes, TaskQueue: b.cfg.TaskQueue,
		SyncReporter: worker.ServiceSyncReporter{Service: svc}, Embeddings: b.embedder,
		Workflows: workflows.Options{CopyHeartbeatTimeout: b.cfg.CopyHeartbeatTimeout}, CopyChunkRows: b.cfg.CopyChunkRows, CDCWindowMB: b.cfg.CDCWindowMB,
		LakeOrphanGrace: b.cfg.LakeOrphanGrace, LakeSnapshotRetention: b.cfg.LakeSnapshotRetention, SyncTableParallelism: b.cfg.SyncTableParallelism,
		Links: b.alertLinks(), Alerts: alerts.Dispatcher{Log: b.logger, Lease: b.cfg.AlertLease, RetryBase: b.cfg.AlertRetryBase,
			Sender: alerts.NewSender(b.cfg.AlertSendTimeout)}})
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	b.logger.Info("worker started")
	if err := worker.StartAlertDispatcher(ctx, b.temporal, b.cfg.TaskQueue, workflows.AlertDispatcherInput{}); err != nil {
		b.logger.Warn("alerts will not be sent until a worker starts the dispatcher", slog.String("error", err.Error()))
	}
	go b.ensureLakeSchedules(ctx)
	<-ctx.Done()
	w.Stop()
	return nil
}

// productionBackend parses the flags bind registers (those of the api or
// of the worker, so each --help lists only what that process uses) and
// connects.
func productionBackend(ctx context.Context, name, summary string, bind func(*config.Config, *flag.FlagSet), args []string) (*backend, error) {
	cfg := config.FromEnv()
	fs := newFlagSet(name, summary)
	bind(&cfg, fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	logger := newLogger(cfg.LogLevel)
	keyring, err := loadKeyring(cfg)
	if err != nil {
		return nil, err
	}
	return connect(ctx, cfg, logger, keyring)
}

func runAPI(ctx context.Context, args []string, _ io.Writer) error {
	b, err := productionBackend(ctx, "api", "Serve the HTTP API against an external Temporal (TEMPORAL_ADDRESS).", (*config.Config).BindAPI, args)
	if err != nil {
		return err
	}
	defer b.close()
	ln, err := listen(b.cfg.HTTPAddr)
	if err != nil {
		return err
	}
	return b.serveHTTP(ctx, ln)
}

func runWorker(ctx context.Context, args []string, _ io.Writer) error {
	b, err := productionBackend(ctx, "worker", "Run the Temporal worker against an external Temporal (TEMPORAL_ADDRESS).", (*config.Config).BindWorker, args)
	if err != nil {
		return err
	}
	defer b.close()
	return b.runWorkerUntil(ctx)
}
