package devserver

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/internal/freeport"
)

const (
	testNamespace = "sluice-test"
	testTaskQueue = "devserver-test"
	testWorkflow  = "devserver-test-workflow"
)

// greet is the trivial workflow run against the dev server.
func greet(_ workflow.Context, name string) (string, error) {
	return "hello " + name, nil
}

// testFreePort returns a TCP port that is currently unused on 127.0.0.1.
func testFreePort(t *testing.T) int {
	t.Helper()
	port, err := freeport.Port()
	if err != nil {
		t.Fatalf("find free port: %v", err)
	}
	return port
}

func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func startTestServer(t *testing.T, ctx context.Context, opts Options) *Server {
	t.Helper()
	begin := time.Now()
	s, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("start dev server: %v", err)
	}
	t.Logf("dev server started in %v: frontend %s, UI %s", time.Since(begin), s.FrontendAddress(), s.UIAddress())
	return s
}

func dialTestClient(t *testing.T, s *Server) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  s.FrontendAddress(),
		Namespace: testNamespace,
		Logger:    sdklog.NewStructuredLogger(testLogger()),
	})
	if err != nil {
		t.Fatalf("dial dev server: %v", err)
	}
	return c
}

func TestServerRunsWorkflowAndSurvivesRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	opts := Options{
		DataDir:      t.TempDir() + "/state",
		Namespace:    testNamespace,
		FrontendPort: testFreePort(t),
		UIPort:       testFreePort(t),
		Logger:       testLogger(),
	}

	// First run: execute a workflow to completion.
	s := startTestServer(t, ctx, opts)
	c := dialTestClient(t, s)
	w := worker.New(c, testTaskQueue, worker.Options{})
	w.RegisterWorkflow(greet)
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        testWorkflow,
		TaskQueue: testTaskQueue,
	}, greet, "sluice")
	if err != nil {
		t.Fatalf("execute workflow: %v", err)
	}
	var greeting string
	if err := run.Get(ctx, &greeting); err != nil {
		t.Fatalf("get workflow result: %v", err)
	}
	if greeting != "hello sluice" {
		t.Fatalf("workflow result = %q, want %q", greeting, "hello sluice")
	}
	checkUI(t, ctx, s.UIAddress())
	w.Stop()
	c.Close()
	if err := s.Stop(); err != nil {
		t.Fatalf("stop dev server: %v", err)
	}

	// Second run on the same data directory: the state must still be there.
	s = startTestServer(t, ctx, opts)
	defer s.Stop()
	c = dialTestClient(t, s)
	defer c.Close()
	nsClient, err := client.NewNamespaceClient(client.Options{
		HostPort: s.FrontendAddress(),
		Logger:   sdklog.NewStructuredLogger(testLogger()),
	})
	if err != nil {
		t.Fatalf("create namespace client: %v", err)
	}
	defer nsClient.Close()
	ns, err := nsClient.Describe(ctx, testNamespace)
	if err != nil {
		t.Fatalf("namespace %q missing after restart: %v", testNamespace, err)
	}
	if got := ns.GetNamespaceInfo().GetName(); got != testNamespace {
		t.Fatalf("described namespace = %q, want %q", got, testNamespace)
	}
	desc, err := c.DescribeWorkflowExecution(ctx, testWorkflow, run.GetRunID())
	if err != nil {
		t.Fatalf("describe workflow after restart: %v", err)
	}
	if got := desc.GetWorkflowExecutionInfo().GetStatus(); got != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Fatalf("workflow status after restart = %v, want completed", got)
	}
	checkUI(t, ctx, s.UIAddress())
	if err := s.Stop(); err != nil {
		t.Fatalf("stop restarted dev server: %v", err)
	}

	// Third run in a fresh process, so nothing is shared in memory.
	checkInChildProcess(t, ctx, opts.DataDir, run.GetRunID())
}

func TestServerWithoutUI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := startTestServer(t, ctx, Options{
		DataDir:      t.TempDir(),
		FrontendPort: testFreePort(t),
		UIPort:       -1,
		Logger:       testLogger(),
	})
	defer s.Stop()
	if got := s.UIAddress(); got != "" {
		t.Fatalf("UIAddress() = %q, want empty when the UI is disabled", got)
	}
}

// checkUI asserts that the Web UI at base serves its HTML page.
func checkUI(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	if base == "" {
		t.Fatal("UI address is empty")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/", nil)
	if err != nil {
		t.Fatalf("build UI request: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("get UI: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read UI page: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("UI status = %d, want 200", resp.StatusCode)
	}
	if !strings.Contains(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(strings.ToLower(string(body)), "<html") {
		t.Fatalf("UI page is not HTML: content type %q", resp.Header.Get("Content-Type"))
	}
}
