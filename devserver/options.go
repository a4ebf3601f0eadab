// Package devserver runs an embedded Temporal server, persisted in SQLite,
// together with the Temporal Web UI inside the current process. It backs the
// `sluice dev` command.
package devserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
)

// Default values applied by Start when the matching Options field is empty.
const (
	// DefaultIP is the address the frontend and UI bind to by default.
	DefaultIP = "127.0.0.1"
	// DefaultFrontendPort is the default gRPC port of the Temporal frontend.
	DefaultFrontendPort = 7233
	// DefaultUIPort is the default HTTP port of the Temporal Web UI.
	DefaultUIPort = 8233
	// DefaultNamespace is the namespace registered when none is given.
	DefaultNamespace = "default"
	// DatabaseFileName is the name of the SQLite file created in DataDir.
	DatabaseFileName = "temporal.db"
)

// clusterName is the name of the single local cluster.
const clusterName = "active"

// Options configures the embedded Temporal server.
type Options struct {
	// DataDir is the directory holding the SQLite database file. It is
	// created if missing, and its state survives restarts.
	DataDir string
	// Namespace is registered on first start, e.g. "default". Registering it
	// again on restart is a no-op.
	Namespace string
	// IP is the bind address of the frontend and the UI; "127.0.0.1" when empty.
	IP string
	// FrontendPort is the gRPC port of the Temporal frontend; 7233 when zero.
	FrontendPort int
	// UIPort is the port of the Temporal Web UI, normally DefaultUIPort
	// (8233). Zero or a negative value disables the UI.
	UIPort int
	// Logger receives the server logs at warning level and above. Logs are
	// discarded when it is nil.
	Logger *slog.Logger
}

// withDefaults returns a copy of the options with defaults filled in, or an
// error when the options are unusable.
func (o Options) withDefaults() (Options, error) {
	if o.DataDir == "" {
		return o, errors.New("data directory is required")
	}
	dir, err := filepath.Abs(o.DataDir)
	if err != nil {
		return o, fmt.Errorf("resolve data directory %q: %w", o.DataDir, err)
	}
	o.DataDir = dir
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if o.IP == "" || o.IP == "localhost" {
		o.IP = DefaultIP
	}
	if net.ParseIP(o.IP) == nil {
		return o, fmt.Errorf("bind address %q is not an IP address", o.IP)
	}
	if o.FrontendPort == 0 {
		o.FrontendPort = DefaultFrontendPort
	}
	if o.FrontendPort < 0 || o.FrontendPort > 65535 {
		return o, fmt.Errorf("frontend port %d is out of range", o.FrontendPort)
	}
	if o.UIPort > 65535 {
		return o, fmt.Errorf("UI port %d is out of range", o.UIPort)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// uiEnabled reports whether the Web UI should be served.
func (o Options) uiEnabled() bool {
	return o.UIPort > 0
}

// databaseFile returns the path of the SQLite database file.
func (o Options) databaseFile() string {
	return filepath.Join(o.DataDir, DatabaseFileName)
}

// frontendAddress returns the host:port of the gRPC frontend.
func (o Options) frontendAddress() string {
	return hostPort(o.IP, o.FrontendPort)
}
