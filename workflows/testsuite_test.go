package workflows_test

import (
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
)

// loadedMachineDeadlock replaces the SDK's 1 s deadlock detector in unit
// tests: on a 2-core CI machine running every package's tests at once, a
// workflow task can wait longer than that for a CPU without being stuck.
const loadedMachineDeadlock = 30 * time.Second

// newWorkflowEnv returns a test workflow environment for the unit tests.
func newWorkflowEnv() *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: loadedMachineDeadlock})
	return env
}
