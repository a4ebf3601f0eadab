package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/sluice-dev/sluice/config"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/devserver"
	"github.com/sluice-dev/sluice/secrets"
	"github.com/sluice-dev/sluice/service"
)

const devSummary = `Run everything in one process for local use: the HTTP API, a Temporal worker,
an embedded Temporal server (SQLite in <data-dir>/temporal) and its web UI.
On first start it creates the database if missing, a secret key in
<data-dir>/secret-key, and a team "default" whose API token it prints once and
writes to <data-dir>/dev-token.`

func runDev(ctx context.Context, args []string, stdout io.Writer) error {
	cfg := config.FromEnv()
	if _, set := os.LookupEnv("SLUICE_ALLOW_PRIVATE_NETWORKS"); !set {
		cfg.AllowPrivateNetworks = true // local databases are the common case in dev
	}
	fs := newFlagSet("dev", devSummary)
	cfg.BindServer(fs)
	fs.IntVar(&cfg.TemporalUIPort, "ui-port", cfg.TemporalUIPort, "Temporal web UI port, 0 to disable (env SLUICE_TEMPORAL_UI_PORT)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := newLogger(cfg.LogLevel)
	// Every port first: a taken one must stop dev before it creates the
	// database, the data dir or the secret key.
	ln, err := listen(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if err := checkTemporalPorts(cfg); err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	if err := ensureDatabase(ctx, cfg); err != nil {
		return err
	}
	if err := migrateUp(cfg); err != nil {
		return err
	}
	keyring, err := devKeyring(&cfg)
	if err != nil {
		return err
	}
	temporalServer, err := startEmbeddedTemporal(ctx, &cfg, logger)
	if err != nil {
		return err
	}
	defer temporalServer.Stop()
	b, err := connect(ctx, cfg, logger, keyring)
	if err != nil {
		return err
	}
	defer b.close()
	if err := announceDevToken(ctx, cfg, b.service(), stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sluice API:   http://%s\nTemporal UI:  %s\n", displayAddr(ln.Addr()), temporalServer.UIAddress())
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return b.runWorkerUntil(gctx) })
	g.Go(func() error { return b.serveHTTP(gctx, ln) })
	return g.Wait()
}

// ensureDatabase creates sluice's database when the server is there but the database is not.
func ensureDatabase(ctx context.Context, cfg config.Config) error {
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL is not a valid URL: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return errors.New("DATABASE_URL names no database")
	}
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return unreachablePostgres(cfg, err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("check database %s: %w", name, err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

func migrateUp(cfg config.Config) error {
	m, err := db.NewMigrator(cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer m.Close()
	return m.Up()
}

// devKeyring uses SLUICE_SECRET_KEY if set, otherwise a key generated into the data dir once.
func devKeyring(cfg *config.Config) (*secrets.Keyring, error) {
	if cfg.SecretKey == "" {
		path := filepath.Join(cfg.DataDir, "secret-key")
		key, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			generated, genErr := secrets.GenerateKey()
			if genErr != nil {
				return nil, genErr
			}
			if err := os.WriteFile(path, []byte(generated+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("write %s: %w", path, err)
			}
			key = []byte(generated)
		} else if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		cfg.SecretKey = strings.TrimSpace(string(key))
	}
	return loadKeyring(*cfg)
}

func startEmbeddedTemporal(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*devserver.Server, error) {
	host, portText, err := net.SplitHostPort(cfg.TemporalAddress)
	if err != nil {
		return nil, fmt.Errorf("TEMPORAL_ADDRESS %q is not host:port: %w", cfg.TemporalAddress, err)
	}
	port, _ := strconv.Atoi(portText)
	srv, err := devserver.Start(ctx, devserver.Options{
		DataDir:      filepath.Join(cfg.DataDir, "temporal"),
		Namespace:    cfg.TemporalNamespace,
		IP:           host,
		FrontendPort: port,
		UIPort:       cfg.TemporalUIPort,
		Logger:       logger.With(slog.String("component", "temporal-server")),
	})
	if err != nil {
		return nil, fmt.Errorf("start embedded Temporal: %w", err)
	}
	cfg.TemporalAddress = srv.FrontendAddress()
	if cfg.TemporalUIURL == "" {
		cfg.TemporalUIURL = srv.UIAddress()
	}
	return srv, nil
}

// announceDevToken creates the default team and its token on first start,
// prints the token once and keeps it in <data-dir>/dev-token.
func announceDevToken(ctx context.Context, cfg config.Config, svc *service.Service, stdout io.Writer) error {
	path := filepath.Join(cfg.DataDir, "dev-token")
	if _, err := os.Stat(path); err == nil {
		fmt.Fprintf(stdout, "API token for team \"default\" is in %s\n", path)
		return nil
	}
	token, err := createTeamToken(ctx, svc, "default", "dev")
	if err != nil {
		return fmt.Errorf("create the default team's token: %w", err)
	}
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintf(stdout, "Created team \"default\". Its API token (also in %s):\n\n    %s\n\n", path, token)
	return nil
}

func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil || host == "::" || host == "0.0.0.0" || host == "" {
		return "localhost:" + port
	}
	return a.String()
}
