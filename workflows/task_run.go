package workflows

import (
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/observability"
)

// SignalTaskRunEnd is the signal that reports a task run's end.
const SignalTaskRunEnd = "task-run-end"

// TaskRunInput starts a TaskRunWorkflow. It carries ids and times, never
// reported data.
type TaskRunInput struct {
	TeamID    uuid.UUID `json:"team_id"`
	TaskRunID int64     `json:"task_run_id"`
	TaskID    string    `json:"task_id"`
	// StartedAt is when the run started, as recorded; the duration counts from it.
	StartedAt time.Time `json:"started_at"`
	// Timeout is how long, from the workflow's start, the run may go without
	// an end; zero means observability.DefaultTaskTimeout.
	Timeout time.Duration `json:"timeout"`
}

// TaskRunEnd is the payload of SignalTaskRunEnd.
type TaskRunEnd struct {
	// Status is success or failed.
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
	// EndedAt, when set, is when the reporter says the run ended (an
	// OpenLineage eventTime); otherwise the run ended when the signal arrived.
	EndedAt *time.Time `json:"ended_at,omitempty"`
}

// TaskRunOutput is how a run's lifecycle ended.
type TaskRunOutput struct {
	Status     string `json:"status"`
	DurationMS int64  `json:"duration_ms"`
	// Anomalies counts the metric values flagged when the run ended.
	Anomalies int `json:"anomalies"`
}

// TaskRunWorkflow is a reported task run's lifecycle. It waits for the end
// signal; if none arrives before the deadline the run becomes timed_out.
// On end it records the status and duration and checks each metric the run
// reported against its series' history, recording anomalies.
func TaskRunWorkflow(ctx workflow.Context, in TaskRunInput) (TaskRunOutput, error) {
	timeout := in.Timeout
	if timeout <= 0 {
		timeout = observability.DefaultTaskTimeout
	}
	ends := workflow.GetSignalChannel(ctx, SignalTaskRunEnd)
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	deadline := workflow.NewTimer(timerCtx, timeout)

	var end TaskRunEnd
	ended := false
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(ends, func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, &end)
		ended = true
	})
	sel.AddFuture(deadline, func(workflow.Future) {})
	sel.Select(ctx)
	cancelTimer()

	actx := workflow.WithActivityOptions(ctx, taskRunOptions)
	var runs *activities.TaskRuns
	if !ended {
		now := workflow.Now(ctx)
		out := TaskRunOutput{Status: observability.StatusTimedOut, DurationMS: durationMS(in.StartedAt, now)}
		err := workflow.ExecuteActivity(actx, runs.TimeOut, activities.TimeOutTaskRunInput{
			TeamID: in.TeamID, TaskRunID: in.TaskRunID, At: now, DurationMS: out.DurationMS,
		}).Get(ctx, nil)
		return out, err
	}

	endedAt := workflow.Now(ctx)
	if end.EndedAt != nil {
		endedAt = *end.EndedAt
	}
	out := TaskRunOutput{Status: end.Status, DurationMS: durationMS(in.StartedAt, endedAt)}
	var finished activities.FinishTaskRunOutput
	if err := workflow.ExecuteActivity(actx, runs.Finish, activities.FinishTaskRunInput{
		TeamID: in.TeamID, TaskRunID: in.TaskRunID, Status: end.Status, Error: end.Error,
		EndedAt: endedAt, DurationMS: out.DurationMS,
	}).Get(ctx, &finished); err != nil {
		return out, err
	}
	if finished.Recorded {
		var checked activities.CheckAnomaliesOutput
		err := workflow.ExecuteActivity(actx, runs.CheckAnomalies, activities.CheckAnomaliesInput{
			TeamID: in.TeamID, TaskRunID: in.TaskRunID,
			History: observability.AnomalyHistory, K: observability.AnomalyK,
		}).Get(ctx, &checked)
		if err != nil {
			// The run's end is recorded; a failed check must not undo it.
			workflow.GetLogger(ctx).Warn("anomaly check failed", "task_id", in.TaskID, "error", err)
		}
		out.Anomalies = checked.Anomalies
	}
	// A repeated end may have arrived meanwhile; it asks for nothing more.
	var repeated TaskRunEnd
	for ends.ReceiveAsync(&repeated) {
	}
	return out, nil
}

func durationMS(from, to time.Time) int64 {
	if to.Before(from) {
		return 0
	}
	return to.Sub(from).Milliseconds()
}
