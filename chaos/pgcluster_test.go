package chaos

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgCluster is a private Postgres server for sluice's own database, in a
// temporary directory on a free port, so a scenario can stop and start it
// without touching the machine's shared server. Postgres refuses to run as
// root, so its programs run as the postgres user.
type pgCluster struct {
	t    *testing.T
	bin  string
	dir  string
	port int
}

// startPGCluster initializes and starts a private cluster, or skips the
// test with the reason when this machine cannot run one.
func startPGCluster(t *testing.T) *pgCluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		t.Skip("no Postgres server programs in /usr/lib/postgresql/*/bin to run a private cluster with")
	}
	sort.Strings(bins)
	dir, err := os.MkdirTemp("", "sluice-chaos-pg-")
	if err != nil {
		t.Fatalf("make the cluster's directory: %v", err)
	}
	c := &pgCluster{t: t, bin: filepath.Dir(bins[len(bins)-1]), dir: dir, port: freePort(t)}
	t.Cleanup(func() {
		_ = c.ctl("stop", "-m", "immediate")
		_ = os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chown", "postgres:postgres", dir).CombinedOutput(); err != nil {
			t.Skipf("cannot hand the cluster's directory to the postgres user: %v (%s)", err, out)
		}
	}
	if out, err := c.run("initdb", "-D", c.dataDir(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.start()
	if err := c.exec("postgres", "CREATE DATABASE sluice"); err != nil {
		t.Fatalf("create sluice's database: %v", err)
	}
	migrate := exec.Command(sluiceBin, "migrate", "up")
	migrate.Env = append(os.Environ(), "DATABASE_URL="+c.url("sluice"))
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("sluice migrate up: %v\n%s", err, out)
	}
	return c
}

func (c *pgCluster) dataDir() string { return filepath.Join(c.dir, "data") }

// url is a connection URL of database db on the cluster.
func (c *pgCluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// run runs one of the server's programs, as postgres when we are root.
func (c *pgCluster) run(program string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, program)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	return cmd.CombinedOutput()
}

// ctl runs pg_ctl on the cluster and waits for it.
func (c *pgCluster) ctl(action string, args ...string) error {
	all := append([]string{action, "-D", c.dataDir(), "-w", "-t", "60"}, args...)
	if out, err := c.run("pg_ctl", all...); err != nil {
		return fmt.Errorf("pg_ctl %s: %w\n%s", action, err, out)
	}
	return nil
}

// start starts the server and fails the test if it does not come up.
func (c *pgCluster) start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200", c.port, c.dir)
	if err := c.ctl("start", "-l", filepath.Join(c.dir, "server.log"), "-o", opts); err != nil {
		c.t.Fatalf("%v\n%s", err, tail(filepath.Join(c.dir, "server.log"), 20))
	}
}

// stop stops the server: "fast" ends sessions cleanly, "immediate" is a crash.
func (c *pgCluster) stop(mode string) {
	c.t.Helper()
	if err := c.ctl("stop", "-m", mode); err != nil {
		c.t.Fatal(err)
	}
}

// exec runs SQL on database db of the cluster.
func (c *pgCluster) exec(db, sql string, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.url(db))
	if err != nil {
		return fmt.Errorf("connect to the private cluster on port %s: %w", strconv.Itoa(c.port), err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql, args...)
	return err
}
