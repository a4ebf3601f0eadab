package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// webUI is a running Temporal Web UI server.
type webUI struct {
	server  *uiserver.Server
	address string // base URL, e.g. "http://127.0.0.1:8233"
	done    chan struct{}
}

// startUI serves the Temporal Web UI on opts.UIPort, talking to the frontend
// at frontend. It returns once the UI answers HTTP requests.
func startUI(ctx context.Context, opts Options, frontend string, logger *slog.Logger) (*webUI, error) {
	// The UI server exits the process when it cannot listen, so make sure
	// the port is usable before handing it over.
	if err := checkPortFree(opts.IP, opts.UIPort); err != nil {
		return nil, fmt.Errorf("check UI port: %w", err)
	}
	host := opts.IP
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		host = "[" + host + "]"
	}
	server := uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host:                host,
		Port:                opts.UIPort,
		TemporalGRPCAddress: frontend,
		EnableUI:            true,
		DefaultNamespace:    opts.Namespace,
		CORS:                uiconfig.CORS{CookieInsecure: true},
		HideLogs:            true,
		DisableNewsFetch:    true,
	}))
	ui := &webUI{
		server:  server,
		address: "http://" + hostPort(opts.IP, opts.UIPort),
		done:    make(chan struct{}),
	}
	go func() {
		defer close(ui.done)
		if err := server.Start(); err != nil {
			logger.Error("Temporal UI server stopped", "error", err)
		}
	}()
	if err := ui.waitReady(ctx); err != nil {
		ui.stop()
		return nil, err
	}
	return ui, nil
}

// waitReady polls the UI until it answers or ctx ends.
func (u *webUI) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: time.Second}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.address+"/healthz", nil)
		if err != nil {
			return fmt.Errorf("build UI health request: %w", err)
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for UI at %s: %w", u.address, errors.Join(ctx.Err(), err))
		case <-u.done:
			return fmt.Errorf("UI server at %s exited during startup", u.address)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop shuts the UI server down and waits for it to exit.
func (u *webUI) stop() {
	u.server.Stop()
	select {
	case <-u.done:
	case <-time.After(5 * time.Second):
	}
}
