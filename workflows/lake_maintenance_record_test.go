package workflows_test

import (
	"context"
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// TestRecordLakeMaintenanceHistory runs a real LakeMaintenance workflow on a
// team's (empty) lake and records its history for the replay test. It only
// runs when SLUICE_RECORD_HISTORIES=1.
func TestRecordLakeMaintenanceHistory(t *testing.T) {
	skipUnlessRecording(t)
	env := testenv.New(t)
	ctx := context.Background()
	team, err := env.Service.EnsureTeam(ctx, "recorder")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Lake.Maintain(ctx, team); err != nil {
		t.Fatal(err)
	}
	recordAll(t, env, "WorkflowType = 'LakeMaintenance' AND TaskQueue = '"+env.TaskQueue+"' AND ExecutionStatus = 'Completed'", 1)
}
