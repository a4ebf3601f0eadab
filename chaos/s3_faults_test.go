package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/internal/testenv/s3server"
	"github.com/sluice-dev/sluice/lake"
)

// bucketPrefix is where the S3 scenarios' lakes live in the bucket.
const bucketPrefix = "lakes"

// newS3Stack starts the API and a worker, each with its own data
// directory, keeping the lake in srv's bucket.
func newS3Stack(t *testing.T, srv *s3server.Server) *stack {
	t.Helper()
	env := append([]string{"SLUICE_LAKE_URL=" + srv.URL(bucketPrefix)}, workerTuning...)
	for k, v := range srv.Env() {
		env = append(env, k+"="+v)
	}
	return newStack(t, stackOptions{Env: env, WorkerDataDir: t.TempDir()})
}

// TestWorkerKilledDuringMergeSyncOnS3 is worker-kill with the lake in a
// bucket: the worker is SIGKILLed at a random point of each merge run, so
// some kills land while a file uploads and some while a commit records
// uploaded files. Every run must end succeeded with the lake equal to the
// source, and the bucket must hold no object the catalog does not
// reference once the runs' cleanup has passed its grace.
func TestWorkerKilledDuringMergeSyncOnS3(t *testing.T) {
	needChaos(t)
	o := &outcome{Scenario: "s3-worker-kill"}
	defer func() { report(*o) }()
	const dest = "chaos_s3_kill"
	srv, src, s, id, took := startS3Scenario(t, dest)
	final, interrupted := s.killDuringRuns(t, o, src, id, dest, took)
	s.worker.stop(30 * time.Second)
	objects := s.bucketOrphanCheck(t, srv, final)
	o.Note = fmt.Sprintf("%d kills landed mid-run; %d objects in the bucket, every one referenced after cleanup", interrupted, objects)
}

// TestS3OutageDuringSync stops the S3 server for a few seconds at a random
// point of each merge run, then starts it again. A run must end succeeded
// (its uploads and reads retried) or fail saying why; a failed one is run
// again, which must succeed. The lake must equal the source after each
// round, and no unreferenced object may outlive the cleanup.
func TestS3OutageDuringSync(t *testing.T) {
	needChaos(t)
	o := &outcome{Scenario: "s3-outage"}
	defer func() { report(*o) }()
	const dest = "chaos_s3_outage"
	srv, src, s, id, took := startS3Scenario(t, dest)
	var final map[string]any
	failedClearly := 0
	for r := 1; r <= chaosRuns(5); r++ {
		o.Runs++
		src.change(t, r)
		runID := s.startRun(id)
		delay := time.Duration(rand.Int64N(int64(took)))
		time.Sleep(delay)
		srv.Stop()
		time.Sleep(5 * time.Second)
		srv.Restart(t)
		final = s.waitRun(runID, 6*time.Minute)
		if final["status"] == "failed" {
			failedClearly++
			t.Logf("run %d failed during the outage: %v", r, final["error"])
			if msg, _ := final["error"].(string); msg == "" {
				t.Errorf("run %d failed without saying why", r)
			}
			final = s.waitRun(s.startRun(id), 6*time.Minute)
		}
		t.Logf("run %d: outage %s after the trigger: %v, %d table attempts", r, delay.Round(time.Millisecond), final["status"], tableAttempts(final))
		o.settle(t, r, final, s.compare(t, src, dest))
	}
	s.worker.stop(30 * time.Second)
	objects := s.bucketOrphanCheck(t, srv, final)
	o.Note = fmt.Sprintf("%d runs failed clearly and succeeded when run again; %d objects in the bucket, every one referenced after cleanup", failedClearly, objects)
}

// startS3Scenario starts versitygw, the source's tables and a stack keeping
// its lake in the bucket, configures a merge sync of the tables into dest
// and runs the first load, returning how long it took.
func startS3Scenario(t *testing.T, dest string) (*s3server.Server, *source, *stack, string, time.Duration) {
	t.Helper()
	srv := s3server.Start(t)
	src := newSource(t, fixtureTables, true)
	s := newS3Stack(t, srv)
	id := s.createIntegration(testenv.PostgresCredentials(""))
	s.configureMerge(id, dest, src.names())
	return srv, src, s, id, s.firstLoad(t, id)
}

// firstLoad runs the first load without a fault and returns how long it took.
func (s *stack) firstLoad(t *testing.T, id string) time.Duration {
	t.Helper()
	start := time.Now()
	if base := s.waitRun(s.startRun(id), 5*time.Minute); base["status"] != "succeeded" {
		t.Fatalf("the first load, before any fault: %v", base)
	}
	took := time.Since(start)
	t.Logf("first load took %s", took.Round(time.Millisecond))
	return took
}

// bucketOrphanCheck checks no object of the team's lake that the catalog
// does not reference is older than the cleanup's grace when the last run
// ended, then removes the younger ones and checks every object left is
// referenced. It returns the objects left.
func (s *stack) bucketOrphanCheck(t *testing.T, srv *s3server.Server, final map[string]any) int {
	t.Helper()
	srv.Setenv(t)
	ctx := context.Background()
	pool, team := s.teamDatabase(t)
	loc, err := lake.NewLocation(ctx, srv.URL(bucketPrefix), lake.LocationOptions{DataDir: t.TempDir(),
		S3: lake.S3Options{Endpoint: srv.Endpoint, Region: "us-east-1", PathStyle: true}})
	if err != nil {
		t.Fatalf("open the bucket: %v", err)
	}
	lk, err := loc.OpenTeam(ctx, pool, t.TempDir(), team)
	if err != nil {
		t.Fatalf("open the team's lake on the bucket: %v", err)
	}
	finishedAt, err := time.Parse(time.RFC3339Nano, fmt.Sprint(final["finished_at"]))
	if err != nil {
		t.Fatalf("the last run's finished_at %v: %v", final["finished_at"], err)
	}
	prefix := bucketPrefix + "/" + team.String() + "/"
	referenced := catalogFileNames(t, lk, pool)
	for key, modified := range objectsUnder(t, srv, prefix) {
		if !referenced[path.Base(key)] && modified.Before(finishedAt.Add(-orphanGrace-time.Second)) {
			t.Errorf("unreferenced object %s (written %s before the last run ended) outlived the runs' cleanup",
				key, finishedAt.Sub(modified).Round(time.Millisecond))
		}
	}
	if _, err := lk.RemoveOrphanFiles(ctx, 0); err != nil {
		t.Fatalf("remove orphan files: %v", err)
	}
	left := objectsUnder(t, srv, prefix)
	for key := range left {
		if !referenced[path.Base(key)] {
			t.Errorf("after cleanup the bucket still holds %s, which the catalog does not reference", key)
		}
	}
	return len(left)
}
