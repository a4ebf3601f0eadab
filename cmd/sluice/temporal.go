package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/sluice-dev/sluice/config"
)

const temporalSummary = `Run only the embedded Temporal server of 'sluice dev' (SQLite in
<data-dir>/temporal, web UI on --ui-port), for an api and a worker started as
separate processes on one machine. Its state survives a restart on the same
data dir, so it can be stopped and started again under running syncs.`

func runTemporal(ctx context.Context, args []string, stdout io.Writer) error {
	cfg := config.FromEnv()
	fs := newFlagSet("temporal", temporalSummary)
	fs.StringVar(&cfg.TemporalAddress, "temporal-address", cfg.TemporalAddress, "host:port the frontend listens on (env TEMPORAL_ADDRESS)")
	fs.StringVar(&cfg.TemporalNamespace, "temporal-namespace", cfg.TemporalNamespace, "namespace registered on first start (env TEMPORAL_NAMESPACE)")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "directory for sluice's files; Temporal's are in its temporal/ (env SLUICE_DATA_DIR)")
	fs.IntVar(&cfg.TemporalUIPort, "ui-port", cfg.TemporalUIPort, "Temporal web UI port, 0 to disable (env SLUICE_TEMPORAL_UI_PORT)")
	fs.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error (env SLUICE_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.AbsoluteDataDir(); err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	srv, err := startEmbeddedTemporal(ctx, &cfg, newLogger(cfg.LogLevel))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Temporal frontend: %s\nTemporal UI:       %s\n", srv.FrontendAddress(), srv.UIAddress())
	<-ctx.Done()
	if err := srv.Stop(); err != nil {
		return fmt.Errorf("stop Temporal: %w", err)
	}
	return nil
}
