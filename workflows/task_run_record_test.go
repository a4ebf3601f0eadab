package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/observability"
	"github.com/sluice-dev/sluice/service"
)

// TestRecordTaskRunHistories runs two real TaskRunWorkflows — one ended with
// metrics to check, one timed out — and records their histories for the
// replay test. It only runs when SLUICE_RECORD_HISTORIES=1.
func TestRecordTaskRunHistories(t *testing.T) {
	skipUnlessRecording(t)
	env := testenv.New(t)
	ctx := context.Background()
	team, err := env.Service.EnsureTeam(ctx, "recorder")
	if err != nil {
		t.Fatal(err)
	}
	start := service.TaskStart{TaskID: "2025-09-01 10:00:00.123456", AppName: "demo-pipeline", TaskName: "basic_example", TaskType: "python"}
	if _, _, err := env.Service.StartTask(ctx, team, start); err != nil {
		t.Fatal(err)
	}
	if err := env.Service.ReportMetrics(ctx, team, start.TaskID, []service.Metric{{AssetName: "basic_asset_example", MetricType: "cnt", Value: 12345}}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Service.EndTask(ctx, team, service.TaskEnd{TaskID: start.TaskID}); err != nil {
		t.Fatal(err)
	}
	second := time.Second
	if _, err := env.Service.SetAppSettings(ctx, team, service.AppSettings{AppName: "slow-app", TaskTimeout: &second}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.Service.StartTask(ctx, team, service.TaskStart{TaskID: "never-ends", AppName: "slow-app", TaskName: "stuck", TaskType: "python"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{start.TaskID, "never-ends"} {
		deadline := time.Now().Add(30 * time.Second)
		for {
			run, err := env.Service.GetTaskRun(ctx, team, id)
			if err != nil {
				t.Fatal(err)
			}
			if run.Status != observability.StatusRunning {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("task %s still running", id)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	time.Sleep(time.Second) // the workflows complete just after their last activity
	recordAll(t, env, "WorkflowType = 'TaskRunWorkflow' AND TaskQueue = '"+env.TaskQueue+"' AND ExecutionStatus = 'Completed'", 2)
}
