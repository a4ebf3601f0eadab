// Package logicalpg starts private Postgres servers with wal_level=logical
// for change data capture tests.
package logicalpg

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a private Postgres server started with
// wal_level=logical for change data capture tests, in a temporary directory
// on a free port; the machine's shared server is never reconfigured.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	Port int
}

// Start initializes and starts a private cluster with
// logical replication. Without the server programs it skips the test,
// unless SLUICE_REQUIRE_CDC=1, when it fails it.
func Start(t testing.TB) *Server {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		if os.Getenv("SLUICE_REQUIRE_CDC") == "1" {
			t.Fatal("SLUICE_REQUIRE_CDC=1 but there is no initdb in /usr/lib/postgresql/*/bin to start a wal_level=logical cluster")
		}
		t.Skip("no initdb in /usr/lib/postgresql/*/bin: cannot start a wal_level=logical cluster (set SLUICE_REQUIRE_CDC=1 to fail instead)")
	}
	sort.Strings(bins)
	dir, err := os.MkdirTemp("", "sluice-cdc-pg-")
	if err != nil {
		t.Fatalf("make the cluster's directory: %v", err)
	}
	p := &Server{t: t, bin: filepath.Dir(bins[len(bins)-1]), dir: dir, Port: freeTCPPort(t)}
	t.Cleanup(func() {
		_, _ = p.run("pg_ctl", "stop", "-D", p.dataDir(), "-m", "immediate", "-w")
		_ = os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chown", "postgres:postgres", dir).CombinedOutput(); err != nil {
			t.Fatalf("hand the cluster's directory to the postgres user: %v (%s)", err, out)
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
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c wal_level=logical -c max_replication_slots=20 "+
		"-c max_wal_senders=20 -c max_slot_wal_keep_size=1GB -c fsync=off", p.Port, p.dir)
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
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
