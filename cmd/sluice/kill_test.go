package main

import (
	"context"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/service"
)

// startWorker runs `sluice worker` on the test's state.
func startWorker(t *testing.T, bin string, env *testenv.Env, extraEnv ...string) *exec.Cmd {
	t.Helper()
	ts := testenv.TemporalServer()
	cmd := exec.Command(bin, "worker")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+env.DatabaseURL, "SLUICE_SECRET_KEY="+env.SecretKey, "SLUICE_DATA_DIR="+env.DataDir,
		"TEMPORAL_ADDRESS="+ts.GetFrontendHostPort(), "TEMPORAL_NAMESPACE="+ts.GetDefaultNamespace(),
		"SLUICE_TASK_QUEUE="+env.TaskQueue, "SLUICE_ALLOW_PRIVATE_NETWORKS=true", "SLUICE_LOG_LEVEL=warn",
		// A copy of the test's table takes a second or two: chunks of 100,000
		// rows give it resume points from its first tenth on.
		"SLUICE_COPY_CHUNK_ROWS=100000")
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// TestWorkerKilledMidSyncResumes SIGKILLs a real `sluice worker` process in
// the middle of a merge sync, once the copy has staged its first chunk,
// starts another, and checks the run completes with exactly the source's
// rows and no duplicate key.
func TestWorkerKilledMidSyncResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and waits out a heartbeat timeout")
	}
	bin := sluiceBinary(t)
	env := testenv.NewWithoutWorker(t, func(o *service.Options) {})
	token := env.Token(t, "acme")
	schema := testenv.PostgresSchema(t, `CREATE TABLE big (id bigint PRIMARY KEY, name text, amount numeric(12,2), at timestamptz, flag bool);
		INSERT INTO big SELECT g, 'row ' || g, g * 0.01, timestamptz '2024-01-01' + g * interval '1 second', g % 2 = 0
		FROM generate_series(1, 2000000) g;`)
	worker := startWorker(t, bin, env)

	res := env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{"type": "postgres", "credentials": testenv.PostgresCredentials("")})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	id := res.JSON(t)["integration"].(map[string]any)["id"].(string)
	if res := env.Do(t, http.MethodPost, "/v1/api/integrations/"+id+"/sync", token, map[string]any{
		"dest_schema": "KILL", "schedule": "daily", "tables": []any{schema + ".big"}}); res.Status != http.StatusOK {
		t.Fatalf("configure: %d %s", res.Status, res.Body)
	}
	run := env.Do(t, http.MethodPost, "/v1/api/integrations/"+id+"/sync/run", token, nil).JSON(t)["data"].(map[string]any)
	runID := run["id"].(string)

	// Kill once the first chunk's Parquet file exists, plus a random delay
	// short enough to land inside the copy.
	waitForEvery(t, 2*time.Minute, 10*time.Millisecond, "a staged Parquet file", func() bool {
		files, _ := filepath.Glob(filepath.Join(env.DataDir, "lake", "*", "*", "*", "*.parquet"))
		return len(files) > 0
	})
	time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
	if err := worker.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = worker.Wait()
	startWorker(t, bin, env)

	var final map[string]any
	waitFor(t, 4*time.Minute, "the run to finish", func() bool {
		final = env.Do(t, http.MethodGet, "/v1/api/syncs/"+runID, token, nil).JSON(t)["data"].(map[string]any)
		s := final["status"]
		return s == "succeeded" || s == "failed" || s == "partially_succeeded" || s == "cancelled"
	})
	if final["status"] != "succeeded" {
		t.Fatalf("run after the kill: %v", final)
	}
	table := final["tables"].([]any)[0].(map[string]any)
	if table["attempts"].(float64) < 2 {
		t.Fatalf("the copy ran %v time(s); the kill did not interrupt it", table["attempts"])
	}
	q := env.Do(t, http.MethodPost, "/v1/query", token, map[string]any{"sql": "SELECT count(*) AS n, count(DISTINCT id) AS keys, sum(id) AS ids, sum(amount) AS amount FROM KILL.big"})
	row := q.JSON(t)["data"].([]any)[0].(map[string]any)
	const n = 2_000_000
	if num(row["n"]) != n || num(row["keys"]) != n || num(row["ids"]) != n*(n+1)/2 || num(row["amount"]) != float64(n*(n+1)/2)/100 {
		t.Fatalf("lake after the kill: %v (want %d rows, %d keys, ids summing to %d, amounts to %.2f)", row, n, n, n*(n+1)/2, float64(n*(n+1)/2)/100)
	}
}

// num reads a JSON number, or a decimal the API sent as a string, as float64.
func num(v any) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case string:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return -1
		}
		return f
	}
	return -1
}

// waitFor checks cond every 200 ms until it holds, failing the test after limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	waitForEvery(t, limit, 200*time.Millisecond, what, cond)
}

// waitForEvery checks cond every interval until it holds, failing the test
// after limit.
func waitForEvery(t *testing.T, limit, interval time.Duration, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(interval):
		}
	}
}
