package devserver

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
)

// Environment variables passed to the child process of checkInChildProcess.
const (
	childDataDirEnv = "DEVSERVER_TEST_CHILD_DATA_DIR"
	childRunIDEnv   = "DEVSERVER_TEST_CHILD_RUN_ID"
)

// checkInChildProcess re-runs the test binary so that TestChildProcess opens
// dataDir in a new process and looks for the completed test workflow run.
func checkInChildProcess(t *testing.T, ctx context.Context, dataDir, runID string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestChildProcess$", "-test.v")
	cmd.Env = append(os.Environ(), childDataDirEnv+"="+dataDir, childRunIDEnv+"="+runID)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child process check failed: %v\n%s", err, out)
	}
	t.Logf("child process check passed:\n%s", out)
}

// TestChildProcess only runs as the child of checkInChildProcess.
func TestChildProcess(t *testing.T) {
	dataDir, runID := os.Getenv(childDataDirEnv), os.Getenv(childRunIDEnv)
	if dataDir == "" {
		t.Skip("only runs as a child process of TestServerRunsWorkflowAndSurvivesRestart")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := startTestServer(t, ctx, Options{
		DataDir:      dataDir,
		Namespace:    testNamespace,
		FrontendPort: testFreePort(t),
		UIPort:       -1,
		Logger:       testLogger(),
	})
	defer s.Stop()
	c := dialTestClient(t, s)
	defer c.Close()
	desc, err := c.DescribeWorkflowExecution(ctx, testWorkflow, runID)
	if err != nil {
		t.Fatalf("describe workflow in new process: %v", err)
	}
	if got := desc.GetWorkflowExecutionInfo().GetStatus(); got != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Fatalf("workflow status in new process = %v, want completed", got)
	}
}
