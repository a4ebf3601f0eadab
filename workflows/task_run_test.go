package workflows_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/observability"
	"github.com/sluice-dev/sluice/workflows"
)

var taskRunTeam = uuid.MustParse("6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f")

func taskRunEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *activities.TaskRuns) {
	t.Helper()
	env := newWorkflowEnv()
	var a *activities.TaskRuns
	env.RegisterActivity(a)
	return env, a
}

func taskRunInput(env *testsuite.TestWorkflowEnvironment, timeout time.Duration) workflows.TaskRunInput {
	return workflows.TaskRunInput{TeamID: taskRunTeam, TaskRunID: 7, TaskID: "nightly-7",
		StartedAt: env.Now().Add(-time.Minute), Timeout: timeout}
}

func TestTaskRunRecordsTheEndAndChecksMetrics(t *testing.T) {
	env, a := taskRunEnv(t)
	in := taskRunInput(env, time.Hour)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalTaskRunEnd, workflows.TaskRunEnd{Status: observability.StatusFailed, Error: "boom"})
	}, 9*time.Minute)
	env.OnActivity(a.Finish, mock.Anything, mock.MatchedBy(func(f activities.FinishTaskRunInput) bool {
		// Started a minute before the workflow, ended nine minutes into it.
		return f.TaskRunID == 7 && f.Status == "failed" && f.Error == "boom" && f.DurationMS == (10*time.Minute).Milliseconds()
	})).Return(activities.FinishTaskRunOutput{Recorded: true}, nil).Once()
	env.OnActivity(a.CheckAnomalies, mock.Anything, activities.CheckAnomaliesInput{
		TeamID: taskRunTeam, TaskRunID: 7, History: observability.AnomalyHistory, K: observability.AnomalyK,
	}).Return(activities.CheckAnomaliesOutput{Series: 3, Judged: 3, Anomalies: 1}, nil).Once()

	env.ExecuteWorkflow(workflows.TaskRunWorkflow, in)
	var out workflows.TaskRunOutput
	if err := errors.Join(env.GetWorkflowError(), env.GetWorkflowResult(&out)); err != nil {
		t.Fatal(err)
	}
	if out != (workflows.TaskRunOutput{Status: "failed", DurationMS: (10 * time.Minute).Milliseconds(), Anomalies: 1}) {
		t.Fatalf("output = %+v", out)
	}
	env.AssertExpectations(t)
}

func TestTaskRunTimesOutWithoutAnEnd(t *testing.T) {
	env, a := taskRunEnv(t)
	in := taskRunInput(env, 2*time.Second)
	env.OnActivity(a.TimeOut, mock.Anything, mock.MatchedBy(func(f activities.TimeOutTaskRunInput) bool {
		return f.TaskRunID == 7 && f.DurationMS == (time.Minute+2*time.Second).Milliseconds()
	})).Return(activities.TimeOutTaskRunOutput{Recorded: true}, nil).Once()

	env.ExecuteWorkflow(workflows.TaskRunWorkflow, in)
	var out workflows.TaskRunOutput
	if err := errors.Join(env.GetWorkflowError(), env.GetWorkflowResult(&out)); err != nil {
		t.Fatal(err)
	}
	if out.Status != observability.StatusTimedOut {
		t.Fatalf("output = %+v", out)
	}
	env.AssertExpectations(t) // no Finish, no anomaly check
}

func TestTaskRunDefaultDeadlineIsADay(t *testing.T) {
	env, a := taskRunEnv(t)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalTaskRunEnd, workflows.TaskRunEnd{Status: observability.StatusSuccess})
	}, 23*time.Hour)
	env.OnActivity(a.Finish, mock.Anything, mock.Anything).Return(activities.FinishTaskRunOutput{Recorded: true}, nil).Once()
	env.OnActivity(a.CheckAnomalies, mock.Anything, mock.Anything).Return(activities.CheckAnomaliesOutput{}, nil).Once()

	env.ExecuteWorkflow(workflows.TaskRunWorkflow, taskRunInput(env, 0))
	var out workflows.TaskRunOutput
	if err := errors.Join(env.GetWorkflowError(), env.GetWorkflowResult(&out)); err != nil || out.Status != "success" {
		t.Fatalf("output = %+v, err %v", out, err)
	}
	env.AssertExpectations(t)
}

func TestTaskRunUsesTheReportedEndTime(t *testing.T) {
	env, a := taskRunEnv(t)
	in := taskRunInput(env, time.Hour)
	endedAt := in.StartedAt.Add(90 * time.Second)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalTaskRunEnd, workflows.TaskRunEnd{Status: "success", EndedAt: &endedAt})
	}, 30*time.Minute)
	env.OnActivity(a.Finish, mock.Anything, mock.MatchedBy(func(f activities.FinishTaskRunInput) bool {
		return f.EndedAt.Equal(endedAt) && f.DurationMS == 90000
	})).Return(activities.FinishTaskRunOutput{Recorded: true}, nil).Once()
	env.OnActivity(a.CheckAnomalies, mock.Anything, mock.Anything).Return(activities.CheckAnomaliesOutput{}, nil).Once()

	env.ExecuteWorkflow(workflows.TaskRunWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	env.AssertExpectations(t)
}

func TestTaskRunSkipsTheCheckWhenTheEndWasAlreadyRecorded(t *testing.T) {
	env, a := taskRunEnv(t)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalTaskRunEnd, workflows.TaskRunEnd{Status: "success"})
		env.SignalWorkflow(workflows.SignalTaskRunEnd, workflows.TaskRunEnd{Status: "success"}) // a repeated end
	}, time.Minute)
	env.OnActivity(a.Finish, mock.Anything, mock.Anything).Return(activities.FinishTaskRunOutput{Recorded: false}, nil).Once()

	env.ExecuteWorkflow(workflows.TaskRunWorkflow, taskRunInput(env, time.Hour))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	env.AssertExpectations(t) // CheckAnomalies is not mocked: calling it would fail
}

func TestTaskRunCompletesWhenTheAnomalyCheckFails(t *testing.T) {
	env, a := taskRunEnv(t)
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(workflows.SignalTaskRunEnd, workflows.TaskRunEnd{Status: "success"})
	}, time.Minute)
	env.OnActivity(a.Finish, mock.Anything, mock.Anything).Return(activities.FinishTaskRunOutput{Recorded: true}, nil).Once()
	env.OnActivity(a.CheckAnomalies, mock.Anything, mock.Anything).
		Return(activities.CheckAnomaliesOutput{}, temporal.NewNonRetryableApplicationError("bad history", "Test", nil))

	env.ExecuteWorkflow(workflows.TaskRunWorkflow, taskRunInput(env, time.Hour))
	var out workflows.TaskRunOutput
	if err := errors.Join(env.GetWorkflowError(), env.GetWorkflowResult(&out)); err != nil || out.Status != "success" {
		t.Fatalf("output = %+v, err %v", out, err)
	}
}
