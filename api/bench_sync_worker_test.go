package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/sluice-dev/sluice/api"
	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/lake"
	"github.com/sluice-dev/sluice/netguard"
	"github.com/sluice-dev/sluice/secrets"
	"github.com/sluice-dev/sluice/service"
	"github.com/sluice-dev/sluice/worker"
)

// The sync benchmarks run the worker in a child process (this test binary
// re-invoked with benchWorkerEnv set), so its peak RSS is the worker's alone
// and starts clean for every measured run. The API, the service and the
// Temporal server stay in the benchmark's process.

// benchWorkerEnv carries a benchWorkerConfig, as JSON, to a child worker.
const benchWorkerEnv = "SLUICE_BENCH_WORKER"

// benchWorkerProfileEnv, when set in the benchmark's environment, makes each
// child worker write a CPU profile to its value plus the run's label.
const benchWorkerProfileEnv = "SLUICE_BENCH_WORKER_CPUPROFILE"

// benchWorkerLogEnv, when set in the benchmark's environment, makes each
// child worker write its log (Temporal's and the activities') to its value
// plus the run's label, as benchWorkerProfileEnv does for the CPU profile.
const benchWorkerLogEnv = "SLUICE_BENCH_WORKER_LOG"

// benchWorkerConfig is what a child worker needs to join the benchmark's stack.
type benchWorkerConfig struct {
	TemporalHostPort string `json:"temporal_host_port"`
	Namespace        string `json:"namespace"`
	TaskQueue        string `json:"task_queue"`
	DatabaseURL      string `json:"database_url"`
	Key              string `json:"key"`
	DataDir          string `json:"data_dir"`
	CPUProfile       string `json:"cpu_profile,omitempty"`
	LogFile          string `json:"log_file,omitempty"`
	// Lake, when set, puts the lake in a bucket (SLUICE_LAKE_URL and the
	// S3 settings; credentials in the AWS variables the child inherits).
	Lake *benchLake `json:"lake,omitempty"`
}

// benchLake is a bucket the benchmark's lake lives in.
type benchLake struct {
	URL      string `json:"url"`
	Endpoint string `json:"endpoint"`
}

// location opens the bucket with dataDir as the working directory.
func (l *benchLake) location(dataDir string) (*lake.Location, error) {
	if l == nil {
		return nil, nil
	}
	return lake.NewLocation(context.Background(), l.URL, lake.LocationOptions{DataDir: dataDir,
		S3: lake.S3Options{Endpoint: l.Endpoint, PathStyle: true}})
}

// init turns this test binary into a child worker when benchWorkerEnv is set:
// it serves the task queue until its stdin closes, then exits.
func init() {
	raw := os.Getenv(benchWorkerEnv)
	if raw == "" {
		return
	}
	if err := runBenchWorker(raw); err != nil {
		fmt.Fprintln(os.Stderr, "bench worker:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runBenchWorker(raw string) error {
	var cfg benchWorkerConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return fmt.Errorf("decode config: %w", err)
	}
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			return fmt.Errorf("create CPU profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("start CPU profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	netguard.SetAllowPrivate(true)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open pool: %w", err)
	}
	defer pool.Close()
	keyring, err := keyringFrom(cfg.Key)
	if err != nil {
		return err
	}
	logTo := io.Discard
	if cfg.LogFile != "" {
		f, err := os.Create(cfg.LogFile)
		if err != nil {
			return fmt.Errorf("create log file: %w", err)
		}
		defer f.Close()
		logTo = f
	}
	c, err := client.Dial(client.Options{HostPort: cfg.TemporalHostPort, Namespace: cfg.Namespace,
		Logger: slog.New(slog.NewTextHandler(logTo, nil))})
	if err != nil {
		return fmt.Errorf("dial Temporal: %w", err)
	}
	defer c.Close()
	lakes, err := cfg.Lake.location(cfg.DataDir)
	if err != nil {
		return err
	}
	svc := service.New(pool, c, keyring, service.Options{TaskQueue: cfg.TaskQueue, DataDir: cfg.DataDir, Lakes: lakes})
	defer svc.Close()
	w := worker.New(c, worker.Deps{Keyring: keyring, Pool: pool, TaskQueue: cfg.TaskQueue, DataDir: cfg.DataDir, Lakes: lakes,
		SyncReporter: worker.ServiceSyncReporter{Service: svc}})
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	defer w.Stop()
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin) // until the benchmark closes stdin
	return nil
}

func keyringFrom(encoded string) (*secrets.Keyring, error) {
	key, err := secrets.ParseKey(encoded)
	if err != nil {
		return nil, fmt.Errorf("parse key: %w", err)
	}
	kr, err := secrets.NewKeyring(key)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return kr, nil
}

// syncBench is a stack whose worker runs in a child process.
type syncBench struct {
	cfg    benchWorkerConfig
	env    *testenv.Env
	token  string
	id     string
	schema string
}

// newSyncBench builds the service and router on a fresh database, registers
// the local Postgres as an integration (validated by an in-process worker,
// stopped afterwards) and creates an empty source schema.
func newSyncBench(b *testing.B) *syncBench { return newSyncBenchFor(b, benchIntegration) }

// newSyncBenchFor is newSyncBench with the integration register creates.
func newSyncBenchFor(b *testing.B, register func(*testing.B, *testenv.Env, string) string) *syncBench {
	return newSyncBenchOn(b, register, nil)
}

// newSyncBenchOn is newSyncBenchFor with the lake in a bucket when
// bucket is set: the API (this process) and the child workers then each
// have a data directory of their own, as on separate machines.
func newSyncBenchOn(b *testing.B, register func(*testing.B, *testenv.Env, string) string, bucket *benchLake) *syncBench {
	b.Helper()
	netguard.SetAllowPrivate(true)
	key, err := secrets.GenerateKey()
	must(b, err)
	keyring, err := keyringFrom(key)
	must(b, err)
	ts := testenv.TemporalServer()
	cfg := benchWorkerConfig{TemporalHostPort: ts.GetFrontendHostPort(), Namespace: ts.GetDefaultNamespace(),
		TaskQueue:   "bench-" + strings.ReplaceAll(b.Name(), "/", "-") + "-" + fmt.Sprint(time.Now().UnixNano()),
		DatabaseURL: dbtest.NewURL(b), Key: key, DataDir: b.TempDir(), Lake: bucket}
	pool, err := pgxpool.New(context.Background(), cfg.DatabaseURL)
	must(b, err)
	b.Cleanup(pool.Close)
	c := ts.GetDefaultClient()
	apiDir := cfg.DataDir
	if bucket != nil {
		apiDir = b.TempDir()
	}
	lakes, err := bucket.location(apiDir)
	must(b, err)
	svc := service.New(pool, c, keyring, service.Options{TaskQueue: cfg.TaskQueue, ValidationTimeout: 30 * time.Second, DataDir: apiDir, Lakes: lakes})
	b.Cleanup(svc.Close)
	env := &testenv.Env{Pool: pool, Temporal: c, Keyring: keyring, Service: svc, TaskQueue: cfg.TaskQueue,
		Router: api.NewRouter(svc, api.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})}
	s := &syncBench{cfg: cfg, env: env, token: env.Token(b, "bench"), schema: testenv.PostgresSchema(b, "")}

	setup := worker.New(c, worker.Deps{Keyring: keyring, Pool: pool, TaskQueue: cfg.TaskQueue, DataDir: apiDir, Lakes: lakes})
	must(b, setup.Start())
	s.id = register(b, env, s.token)
	setup.Stop()
	return s
}

// childWorker is a running child worker process.
type childWorker struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *strings.Builder
	// readyCPU is the CPU time it took to start: Temporal's worker hashes
	// the whole binary (0.3–0.5 s here), which no run pays.
	readyCPU time.Duration
}

// startWorker starts a child worker and waits until it polls the task queue.
func (s *syncBench) startWorker(b *testing.B, label string) *childWorker {
	b.Helper()
	cfg := s.cfg
	if p := os.Getenv(benchWorkerProfileEnv); p != "" {
		cfg.CPUProfile = p + "." + label
	}
	if p := os.Getenv(benchWorkerLogEnv); p != "" {
		cfg.LogFile = p + "." + label
	}
	raw, err := json.Marshal(cfg)
	must(b, err)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), benchWorkerEnv+"="+string(raw))
	stdin, err := cmd.StdinPipe()
	must(b, err)
	stdout, err := cmd.StdoutPipe()
	must(b, err)
	w := &childWorker{cmd: cmd, stdin: stdin, stderr: &strings.Builder{}}
	cmd.Stderr = w.stderr
	must(b, cmd.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		b.Fatalf("child worker did not start (%v): %q %s", err, line, w.stderr)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	if w.readyCPU, err = processCPU(cmd.Process.Pid); err != nil {
		b.Fatalf("child worker's CPU time: %v", err)
	}
	return w
}

// workerUsage is what a child worker used over its life.
type workerUsage struct {
	PeakBytes int64
	// CPU is its user and system time from ready to stop: on a machine
	// whose wall times swing by a fifth from run to run, the worker's cost
	// per row shows here.
	CPU time.Duration
}

// stop ends the child and returns its usage. The peak RSS is the VmHWM of
// its own address space, read while it still runs. (The rusage of a waited
// child is no good for that: Linux folds the RSS of the address space an
// exec replaces into ru_maxrss, and a child started by os/exec shares the
// benchmark's until it execs, so ru_maxrss reports the benchmark's RSS.
// Its CPU times are the child's own.)
func (w *childWorker) stop(b *testing.B) workerUsage {
	b.Helper()
	peak, err := vmHWM(w.cmd.Process.Pid)
	_ = w.stdin.Close()
	if werr := w.cmd.Wait(); werr != nil {
		b.Fatalf("child worker: %v: %s", werr, w.stderr)
	}
	if err != nil {
		b.Fatalf("child worker's peak RSS: %v", err)
	}
	cpu := w.cmd.ProcessState.UserTime() + w.cmd.ProcessState.SystemTime() - w.readyCPU
	return workerUsage{PeakBytes: peak, CPU: cpu}
}

// clockTicks is the unit of /proc/<pid>/stat's times (USER_HZ, 100 on Linux).
const clockTicks = 100

// processCPU reads a running process's user and system time from /proc.
func processCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: fields are counted
	// after its closing one (state is field 3, utime 14 and stime 15).
	_, rest, ok := strings.Cut(string(raw), ") ")
	fields := strings.Fields(rest)
	if !ok || len(fields) < 13 {
		return 0, fmt.Errorf("unexpected /proc stat: %q", raw)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("unexpected /proc stat: %q", raw)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// vmHWM reads a process's peak resident set size from /proc, in bytes.
func vmHWM(pid int) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(raw)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

// configure sets the integration's sync config (tables as the API takes them).
func (s *syncBench) configure(b *testing.B, method string, tables ...any) {
	b.Helper()
	s.configureWith(b, nil, method, tables...)
}

// configureWith is configure with more settings of the sync config.
func (s *syncBench) configureWith(b *testing.B, settings map[string]any, method string, tables ...any) {
	b.Helper()
	body := map[string]any{"dest_schema": "BENCH", "schedule": "daily", "load_method": method, "tables": tables}
	maps.Copy(body, settings)
	res := s.env.Do(b, http.MethodPost, "/v1/api/integrations/"+s.id+"/sync", s.token, body)
	if res.Status != http.StatusOK {
		b.Fatalf("configure sync: %d %s", res.Status, res.Body)
	}
}

// syncTiming is one measured sync run.
type syncTiming struct {
	Rows int64
	Wall time.Duration // workflow started → completed, from its history
	Copy time.Duration // CopyTable activity started → completed
	// API is what the user waits for: POST …/sync/run until GET
	// /v1/api/syncs/{id} first answers succeeded (polled every 200 ms).
	API    time.Duration
	PeakMB float64       // the child worker's peak RSS, MiB
	CPU    time.Duration // the child worker's CPU time, ready to stop
	// Ranges is a split table's first CopyTableRange started → last completed.
	Ranges time.Duration
}

// runSync runs the configured sync on a fresh child worker and measures it.
func (s *syncBench) runSync(b *testing.B, label string) syncTiming {
	b.Helper()
	w := s.startWorker(b, label)
	run := s.runOn(b, label)
	used := w.stop(b)
	run.PeakMB, run.CPU = float64(used.PeakBytes)/(1<<20), used.CPU
	return run
}

// runOn runs the configured sync on the running child worker and measures
// it from the workflow's history.
func (s *syncBench) runOn(b *testing.B, label string) syncTiming {
	b.Helper()
	start := time.Now()
	res := s.env.Do(b, http.MethodPost, "/v1/api/integrations/"+s.id+"/sync/run", s.token, nil)
	if res.Status != http.StatusAccepted {
		b.Fatalf("start run: %d %s", res.Status, res.Body)
	}
	var started struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	must(b, json.Unmarshal(res.Body, &started))
	run := s.waitRun(b, started.Data.ID)
	api := time.Since(start)
	if run.Status != "succeeded" {
		b.Fatalf("%s run %s: %s %s; tables: %+v", label, run.ID, run.Status, run.Error, run.Tables)
	}
	wall, cp, ranges := s.history(b, run.WorkflowID)
	return syncTiming{Rows: run.RowsRead, Wall: wall, Copy: cp, API: api, Ranges: ranges}
}

type benchRun struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Error      string `json:"error"`
	RowsRead   int64  `json:"rows_read"`
	WorkflowID string `json:"workflow_id"`
	Tables     []struct {
		Name  string `json:"name"`
		Error string `json:"error"`
	} `json:"tables"`
}

func (s *syncBench) waitRun(b *testing.B, runID string) benchRun {
	b.Helper()
	deadline := time.Now().Add(15 * time.Minute)
	for time.Now().Before(deadline) {
		// As a client waiting for the run would: the answer comes when the
		// run finishes, not at the next tick of a polling loop.
		res := s.env.Do(b, http.MethodGet, "/v1/api/syncs/"+runID+"?wait=60s", s.token, nil)
		var out struct {
			Data benchRun `json:"data"`
		}
		must(b, json.Unmarshal(res.Body, &out))
		if service.RunFinished(out.Data.Status) {
			return out.Data
		}
	}
	b.Fatalf("run %s did not finish in time", runID)
	return benchRun{}
}

// history reads the workflow's wall time and its CopyTable activities' time
// (summed) from the event timestamps the Temporal server recorded, once the
// workflow has completed: it may still be reporting a run already finished.
func (s *syncBench) history(b *testing.B, workflowID string) (wall, copyTime, ranges time.Duration) {
	b.Helper()
	must(b, s.env.Temporal.GetWorkflow(context.Background(), workflowID, "").Get(context.Background(), nil))
	it := s.env.Temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var first, last time.Time
	copies, splits := map[int64]bool{}, map[int64]bool{}
	starts := map[int64]time.Time{}
	var rangesFrom, rangesTo time.Time
	for it.HasNext() {
		e, err := it.Next()
		must(b, err)
		at := e.GetEventTime().AsTime()
		if first.IsZero() {
			first = at
		}
		last = at
		switch e.GetEventType() {
		case enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			// A cdc run's copy and changes are one CaptureChanges.
			switch e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() {
			case "CopyTable", "CaptureChanges":
				copies[e.GetEventId()] = true
			case "CopyTableRange":
				splits[e.GetEventId()] = true
			}
		case enums.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			started := e.GetActivityTaskStartedEventAttributes()
			// Written when the attempt ends, with the time it started.
			if splits[started.GetScheduledEventId()] && (rangesFrom.IsZero() || at.Before(rangesFrom)) {
				rangesFrom = at
			}
			if id := started.GetScheduledEventId(); copies[id] {
				starts[id] = at
				// A retried copy's time includes the failed attempt and
				// the retry's wait: not a measurement of the work.
				if started.GetAttempt() > 1 {
					b.Fatalf("workflow %s: CopyTable needed attempt %d after: %s", workflowID, started.GetAttempt(), started.GetLastFailure().GetMessage())
				}
			}
		case enums.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			if id := e.GetActivityTaskCompletedEventAttributes().GetScheduledEventId(); copies[id] {
				copyTime += at.Sub(starts[id])
			} else if splits[id] && at.After(rangesTo) {
				rangesTo = at
			}
		}
	}
	if len(copies) == 0 {
		b.Fatalf("workflow %s ran no CopyTable or CaptureChanges activity", workflowID)
	}
	return last.Sub(first), copyTime, rangesTo.Sub(rangesFrom)
}

// lakeCount counts a lake table's rows through the API.
func (s *syncBench) lakeCount(b *testing.B, sql string) int64 {
	b.Helper()
	res := s.env.Do(b, http.MethodPost, "/v1/query", s.token, map[string]any{"sql": sql})
	if res.Status != http.StatusOK {
		b.Fatalf("lake query %q: %d %s", sql, res.Status, res.Body)
	}
	var out struct {
		Data []map[string]any `json:"data"`
	}
	must(b, json.Unmarshal(res.Body, &out))
	for _, v := range out.Data[0] {
		if n, ok := v.(float64); ok {
			return int64(n)
		}
	}
	b.Fatalf("lake query %q: no number in %s", sql, res.Body)
	return 0
}
