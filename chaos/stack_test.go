package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/secrets"
)

// stackOptions say what a stack runs against; zero values pick the shared
// local Postgres (a fresh database), the test binary's in-process Temporal
// server and a temporary data directory.
type stackOptions struct {
	DatabaseURL  string
	TemporalAddr string
	Namespace    string
	DataDir      string
	// Env is added to both processes' environment.
	Env []string
	// WorkerDataDir gives the worker its own data directory (a bucket
	// lake's working copies); empty shares DataDir with the API.
	WorkerDataDir string
}

// stack is one sluice deployment: a `sluice api` and a `sluice worker`
// process sharing a database, a Temporal namespace and task queue, and a
// data directory, and a token of team "chaos".
type stack struct {
	t         *testing.T
	opts      stackOptions
	secretKey string
	queue     string
	baseURL   string
	httpAddr  string
	api       *proc
	worker    *proc
	// workerLogs and apiLogs are the log files of every worker and API
	// process started.
	workerLogs []string
	apiLogs    []string
	token      string
	client     *http.Client
}

// newStack starts the API and the worker and creates the team's token.
func newStack(t *testing.T, opts stackOptions) *stack {
	t.Helper()
	if opts.DatabaseURL == "" {
		opts.DatabaseURL = dbtest.NewURL(t)
	}
	if opts.TemporalAddr == "" {
		ts := testenv.TemporalServer()
		opts.TemporalAddr, opts.Namespace = ts.GetFrontendHostPort(), ts.GetDefaultNamespace()
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	key, err := secrets.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	s := &stack{t: t, opts: opts, secretKey: key, queue: "chaos-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		httpAddr: addr, baseURL: "http://" + addr, client: &http.Client{Timeout: 30 * time.Second}}
	s.token = s.createToken("chaos")
	s.startWorker()
	s.startAPI()
	return s
}

// env is the environment both processes run with.
func (s *stack) env() []string {
	env := []string{
		"DATABASE_URL=" + s.opts.DatabaseURL, "SLUICE_SECRET_KEY=" + s.secretKey, "SLUICE_DATA_DIR=" + s.opts.DataDir,
		"TEMPORAL_ADDRESS=" + s.opts.TemporalAddr, "TEMPORAL_NAMESPACE=" + s.opts.Namespace, "SLUICE_TASK_QUEUE=" + s.queue,
		"SLUICE_HTTP_ADDR=" + s.httpAddr, "SLUICE_ALLOW_PRIVATE_NETWORKS=true", "SLUICE_LOG_LEVEL=warn",
	}
	return append(env, s.opts.Env...)
}

// createToken runs `sluice token create` and returns the token it prints.
func (s *stack) createToken(team string) string {
	s.t.Helper()
	cmd := exec.Command(sluiceBin, "token", "create", "--team", team, "--name", "chaos")
	cmd.Env = append(cmd.Environ(), s.env()...)
	out, err := cmd.Output()
	if err != nil {
		s.t.Fatalf("sluice token create: %v (%s)", err, exitStderr(err))
	}
	return strings.TrimSpace(string(out))
}

func exitStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return strings.TrimSpace(string(ee.Stderr))
	}
	return ""
}

// startWorker starts (or restarts) the worker process.
func (s *stack) startWorker() {
	s.t.Helper()
	env := s.env()
	if s.opts.WorkerDataDir != "" {
		env = append(env, "SLUICE_DATA_DIR="+s.opts.WorkerDataDir) // the last value counts
	}
	s.worker = startProc(s.t, "worker", env, sluiceBin, "worker")
	s.workerLogs = append(s.workerLogs, s.worker.logPath)
}

// workerLogSum adds up the numeric field of every worker log line whose
// message is msg.
func (s *stack) workerLogSum(msg, field string) int {
	total := 0
	for _, entry := range logEntries(s.workerLogs, msg) {
		if n, ok := entry[field].(float64); ok {
			total += int(n)
		}
	}
	return total
}

// logEntries returns the JSON log lines of the files whose message is msg.
func logEntries(paths []string, msg string) []map[string]any {
	var out []map[string]any
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for _, line := range bytes.Split(raw, []byte("\n")) {
			var entry map[string]any
			if json.Unmarshal(line, &entry) == nil && entry["msg"] == msg {
				out = append(out, entry)
			}
		}
	}
	return out
}

// startAPI starts (or restarts) the API process and waits until it answers.
func (s *stack) startAPI() {
	s.t.Helper()
	s.api = startProc(s.t, "api", s.env(), sluiceBin, "api")
	s.apiLogs = append(s.apiLogs, s.api.logPath)
	if !eventually(time.Minute, func() bool {
		r, err := s.call(http.MethodGet, "/healthz", nil)
		return err == nil && r.Status == http.StatusOK
	}) {
		s.t.Fatalf("the API did not answer /healthz within a minute")
	}
}

// restartWorker kills the worker with SIGKILL and starts another.
func (s *stack) restartWorker() {
	s.worker.kill()
	s.startWorker()
}

// reply is one HTTP answer.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// object decodes the body as a JSON object; nil if it is not one.
func (r reply) object() map[string]any {
	var m map[string]any
	if json.Unmarshal(r.Body, &m) != nil {
		return nil
	}
	return m
}

// call sends one request with the team's token; body is sent as JSON.
func (s *stack) call(method, path string, body any) (reply, error) {
	return s.callWithin(s.client.Timeout, method, path, body)
}

// callWithin is call with its own deadline.
func (s *stack) callWithin(limit time.Duration, method, path string, body any) (reply, error) {
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return reply{}, fmt.Errorf("encode request: %w", err)
		}
		reader = bytes.NewReader(raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.baseURL+path, reader)
	if err != nil {
		return reply{}, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := s.client.Do(req)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	return reply{Status: res.StatusCode, Header: res.Header, Body: raw}, nil
}

// mustCall is call that fails the test unless the answer has status want.
func (s *stack) mustCall(want int, method, path string, body any) map[string]any {
	s.t.Helper()
	r, err := s.call(method, path, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if r.Status != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r.object()
}
