package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/sluice-dev/sluice/config"
	"github.com/sluice-dev/sluice/secrets"
)

// newLogger returns the JSON logger every command logs with.
func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// openPool connects to sluice's database and pings it, failing with one line
// that says what to do.
func openPool(ctx context.Context, cfg config.Config) (*pgxpool.Pool, error) {
	poolCfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL is not a valid Postgres URL (%s): %w", cfg.RedactedDatabaseURL(), err)
	}
	poolCfg.ConnConfig.ConnectTimeout = 5 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, unreachablePostgres(cfg, err)
	}
	return pool, nil
}

func unreachablePostgres(cfg config.Config, err error) error {
	return fmt.Errorf("cannot reach Postgres at %s (%s); start Postgres or set DATABASE_URL to a reachable server",
		cfg.RedactedDatabaseURL(), firstLine(err))
}

// firstLine puts an error on one line: pgconn lists one reason per address
// tried on lines of their own, and the cause must not be cut off.
func firstLine(err error) string {
	var parts []string
	for _, line := range strings.Split(err.Error(), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			parts = append(parts, line)
		}
	}
	return strings.Join(parts, " ")
}

// loadKeyring parses SLUICE_SECRET_KEY, the key that seals, and
// SLUICE_OLD_SECRET_KEYS, earlier keys that only open what they sealed (so
// processes keep reading secrets while a rotation re-encrypts them). The
// production commands refuse to start without a secret key.
func loadKeyring(cfg config.Config) (*secrets.Keyring, error) {
	if cfg.SecretKey == "" {
		return nil, errors.New("SLUICE_SECRET_KEY is not set; generate one with `openssl rand -base64 32` and keep it safe: it encrypts every stored credential")
	}
	key, err := secrets.ParseKey(cfg.SecretKey)
	if err != nil {
		return nil, fmt.Errorf("SLUICE_SECRET_KEY: %w", err)
	}
	older, err := secrets.ParseKeyList(cfg.OldSecretKeys)
	if err != nil {
		return nil, fmt.Errorf("SLUICE_OLD_SECRET_KEYS: %w", err)
	}
	return secrets.NewKeyring(key, older...)
}

// dialTemporal connects to the Temporal frontend and checks it answers.
func dialTemporal(ctx context.Context, cfg config.Config, logger *slog.Logger, metrics client.MetricsHandler) (client.Client, error) {
	opts := client.Options{
		HostPort:       cfg.TemporalAddress,
		Namespace:      cfg.TemporalNamespace,
		Logger:         sdklog.NewStructuredLogger(logger.With(slog.String("component", "temporal-sdk"))),
		MetricsHandler: metrics,
	}
	dialCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c, err := client.DialContext(dialCtx, opts)
	if err != nil {
		return nil, fmt.Errorf("cannot reach Temporal at %s (%s); start it or set TEMPORAL_ADDRESS", cfg.TemporalAddress, firstLine(err))
	}
	return c, nil
}

// listen opens the HTTP listener early so a busy port is reported before anything starts.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w (move the API with SLUICE_HTTP_ADDR or --http-addr, e.g. :8081)", addr, err)
	}
	return ln, nil
}
