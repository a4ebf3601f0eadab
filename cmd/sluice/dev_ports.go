package main

import (
	"fmt"
	"net"
	"strconv"

	"github.com/sluice-dev/sluice/config"
)

// checkTemporalPorts makes sure the embedded Temporal server can bind its
// frontend (TEMPORAL_ADDRESS) and its web UI (SLUICE_TEMPORAL_UI_PORT), and
// says which setting moves a taken one. dev checks them before it creates
// anything, so a second `sluice dev` or a running Temporal leaves no
// half-made state behind.
func checkTemporalPorts(cfg config.Config) error {
	host, port, err := net.SplitHostPort(cfg.TemporalAddress)
	if err != nil {
		return fmt.Errorf("TEMPORAL_ADDRESS %q is not host:port: %w", cfg.TemporalAddress, err)
	}
	if err := portFree(net.JoinHostPort(host, port)); err != nil {
		return fmt.Errorf("the embedded Temporal server cannot listen on %s, its frontend (%w); stop what uses it (another `sluice dev`, a Temporal server) or move it with TEMPORAL_ADDRESS or --temporal-address, e.g. 127.0.0.1:7234",
			cfg.TemporalAddress, err)
	}
	if cfg.TemporalUIPort == 0 {
		return nil
	}
	if err := portFree(net.JoinHostPort(host, strconv.Itoa(cfg.TemporalUIPort))); err != nil {
		return fmt.Errorf("the Temporal web UI cannot listen on port %d (%w); move it with SLUICE_TEMPORAL_UI_PORT or --ui-port, or set 0 to run without the UI",
			cfg.TemporalUIPort, err)
	}
	return nil
}

// portFree reports whether something could listen on addr now.
func portFree(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return l.Close()
}
