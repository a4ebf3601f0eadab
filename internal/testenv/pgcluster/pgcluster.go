// Package pgcluster starts private Postgres servers for tests that stop,
// restart or reconfigure their server (chaos scenarios, change data
// capture), in a temporary directory on a free port: the machine's shared
// server is never touched.
package pgcluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/internal/freeport"
)

// Server is a private Postgres server. Its programs run as the postgres
// user when the test runs as root (Postgres refuses to run as root).
type Server struct {
	t        testing.TB
	bin      string
	dir      string
	settings []string
	Port     int
}

// Options say how a server is started.
type Options struct {
	// Settings are server settings ("wal_level=logical") beyond the
	// address, port and socket directory.
	Settings []string
	// Require names an environment variable that, set to 1, makes a
	// machine that cannot run the server fail the test instead of skipping it.
	Require string
}

// StartLogical starts a server with logical replication for change data
// capture tests; SLUICE_REQUIRE_CDC=1 makes a machine without the server
// programs fail them.
func StartLogical(t testing.TB) *Server {
	t.Helper()
	return Start(t, Options{Require: "SLUICE_REQUIRE_CDC", Settings: []string{"wal_level=logical", "max_replication_slots=20",
		"max_wal_senders=20", "max_slot_wal_keep_size=1GB", "fsync=off"}})
}

// Start initializes and starts a private cluster, or skips the test with
// the reason when this machine cannot run one (fails it under opts.Require).
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	cannot := func(format string, args ...any) {
		t.Helper()
		if opts.Require != "" && os.Getenv(opts.Require) == "1" {
			t.Fatalf(opts.Require+"=1 but "+format, args...)
		}
		t.Skipf(format, args...)
	}
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		cannot("no initdb in /usr/lib/postgresql/*/bin to start a private cluster with")
	}
	sort.Strings(bins)
	dir, err := os.MkdirTemp("", "sluice-pg-")
	if err != nil {
		t.Fatalf("make the cluster's directory: %v", err)
	}
	p := &Server{t: t, bin: filepath.Dir(bins[len(bins)-1]), dir: dir, settings: opts.Settings, Port: freeTCPPort(t)}
	t.Cleanup(func() {
		_, _ = p.run("pg_ctl", "stop", "-D", p.dataDir(), "-m", "immediate", "-w")
		_ = os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chown", "postgres:postgres", dir).CombinedOutput(); err != nil {
			cannot("cannot hand the cluster's directory to the postgres user: %v (%s)", err, out)
		}
	}
	if out, err := p.run("initdb", "-D", p.dataDir(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	p.Start()
	return p
}

func (p *Server) dataDir() string { return filepath.Join(p.dir, "data") }

// run runs one of the server's programs, as postgres when we are root
// (Postgres refuses to run as root).
func (p *Server) run(program string, args ...string) ([]byte, error) {
	path := filepath.Join(p.bin, program)
	cmd := exec.Command(path, args...)
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return cmd.CombinedOutput()
}

// Start starts the server (again, after Stop).
func (p *Server) Start() {
	p.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", p.Port, p.dir)
	for _, s := range p.settings {
		opts += " -c " + s
	}
	if out, err := p.run("pg_ctl", "start", "-D", p.dataDir(), "-w", "-t", "60", "-l", filepath.Join(p.dir, "server.log"), "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "server.log"))
		p.t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
}

// Stop stops the server: "fast" ends sessions cleanly, "immediate" crashes it.
func (p *Server) Stop(mode string) {
	p.t.Helper()
	if out, err := p.run("pg_ctl", "stop", "-D", p.dataDir(), "-m", mode, "-w", "-t", "60"); err != nil {
		p.t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
}

// URL is the superuser's connection URL of a database on the cluster.
func (p *Server) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.Port, database)
}

// Exec runs SQL as the superuser in a database of the cluster.
func (p *Server) Exec(database, sql string, args ...any) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.URL(database))
	if err != nil {
		p.t.Fatalf("connect to the private cluster: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		p.t.Fatalf("SQL on the private cluster: %v\n%s", err, sql)
	}
}

// Credentials are a sluice integration's credentials for a database of the
// cluster as role (sources may not be superusers; trust auth ignores the
// password).
func (p *Server) Credentials(database, role string) map[string]any {
	return map[string]any{"host": "127.0.0.1", "port": p.Port, "database": database, "username": role, "password": "unused", "sslmode": "disable"}
}

func freeTCPPort(t testing.TB) int {
	t.Helper()
	port, err := freeport.Port()
	if err != nil {
		t.Fatal(err)
	}
	return port
}
