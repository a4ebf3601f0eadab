package devserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/temporal"
)

// Server is a running embedded Temporal server with its UI.
type Server struct {
	temporal temporal.Server
	logs     slogAdapter
	ui       *webUI // nil when the UI is disabled
	frontend string

	stopOnce sync.Once
	stopErr  error
}

// Start prepares the SQLite database in opts.DataDir, registers the
// namespace and starts the Temporal services and, unless disabled, the Web UI.
// It returns once the frontend accepts connections. Cancelling ctx aborts the
// startup; it has no effect on a server that has already started.
func Start(ctx context.Context, opts Options) (*Server, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("invalid dev server options: %w", err)
	}
	if err := checkPortFree(opts.IP, opts.FrontendPort); err != nil {
		return nil, fmt.Errorf("check frontend port: %w", err)
	}
	if opts.uiEnabled() {
		if err := checkPortFree(opts.IP, opts.UIPort); err != nil {
			return nil, fmt.Errorf("check UI port: %w", err)
		}
	}
	sqlConf, err := prepareDatabase(opts)
	if err != nil {
		return nil, fmt.Errorf("prepare temporal database: %w", err)
	}
	ports, err := allocateServicePorts(opts)
	if err != nil {
		return nil, err
	}
	logs := newSlogAdapter(opts.Logger)
	srv, err := newTemporalServer(opts, sqlConf, ports, logs)
	if err != nil {
		return nil, fmt.Errorf("create temporal server: %w", err)
	}
	if err := startTemporal(ctx, srv); err != nil {
		logs.silence()
		return nil, fmt.Errorf("start temporal server: %w", err)
	}
	s := &Server{temporal: srv, logs: logs, frontend: opts.frontendAddress()}
	if err := waitForListener(ctx, s.frontend); err != nil {
		_ = s.Stop()
		return nil, fmt.Errorf("wait for temporal frontend: %w", err)
	}
	if opts.uiEnabled() {
		s.ui, err = startUI(ctx, opts, s.frontend, opts.Logger)
		if err != nil {
			_ = s.Stop()
			return nil, fmt.Errorf("start temporal UI: %w", err)
		}
	}
	return s, nil
}

// FrontendAddress returns the host:port of the gRPC frontend, for example
// "127.0.0.1:7233".
func (s *Server) FrontendAddress() string {
	return s.frontend
}

// UIAddress returns the base URL of the Web UI, for example
// "http://127.0.0.1:8233", or "" when the UI is disabled.
func (s *Server) UIAddress() string {
	if s.ui == nil {
		return ""
	}
	return s.ui.address
}

// Stop shuts down the UI and then the Temporal services. Server logs are
// silenced first, as shutdown makes the server report many expected errors.
// It is safe to call more than once; later calls return the first result.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.logs.silence()
		if s.ui != nil {
			s.ui.stop()
		}
		if err := s.temporal.Stop(); err != nil {
			s.stopErr = fmt.Errorf("stop temporal server: %w", err)
		}
	})
	return s.stopErr
}

// newTemporalServer assembles the Temporal server from its configuration.
func newTemporalServer(opts Options, sqlConf *config.SQL, ports servicePorts, logs slogAdapter) (temporal.Server, error) {
	conf := serverConfig(opts, sqlConf, ports)
	claimMapper := authorization.NewNoopClaimMapper()
	return temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(ports.staticHosts(opts.IP)),
		temporal.WithLogger(logs),
		temporal.WithAuthorizer(authorization.NewNoopAuthorizer()),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
}

// startTemporal starts srv, giving up early when ctx ends. The server's Start
// cannot be interrupted, so on cancellation it is stopped once it returns.
func startTemporal(ctx context.Context, srv temporal.Server) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	started := make(chan error, 1)
	go func() { started <- srv.Start() }()
	select {
	case err := <-started:
		return err
	case <-ctx.Done():
		go func() {
			if err := <-started; err == nil {
				_ = srv.Stop()
			}
		}()
		return ctx.Err()
	}
}

// waitForListener waits until a TCP connection to address succeeds.
func waitForListener(ctx context.Context, address string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var dialer net.Dialer
	for {
		conn, err := dialer.DialContext(ctx, "tcp", address)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
