package chaos

import (
	"os"
	"os/exec"
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv/pgcluster"
)

// startPGCluster starts a private Postgres server for sluice's own
// database (pgcluster: a temporary directory on a free port), so a scenario
// can stop and start it without touching the machine's shared server, and
// migrates a database "sluice" on it; it skips the test with the reason
// when this machine cannot run one.
func startPGCluster(t *testing.T) *pgcluster.Server {
	t.Helper()
	pg := pgcluster.Start(t, pgcluster.Options{Settings: []string{"max_connections=200"}})
	pg.Exec("postgres", "CREATE DATABASE sluice")
	migrate := exec.Command(sluiceBin, "migrate", "up")
	migrate.Env = append(os.Environ(), "DATABASE_URL="+pg.URL("sluice"))
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("sluice migrate up: %v\n%s", err, out)
	}
	return pg
}
