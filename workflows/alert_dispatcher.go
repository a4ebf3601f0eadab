package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
)

// AlertDispatcherWorkflow is the name the dispatcher runs under, and
// AlertDispatcherID its workflow id's prefix (one dispatcher per task
// queue): workers start it when they start, and a second start joins the
// running one.
const (
	AlertDispatcherWorkflow = "AlertDispatcher"
	AlertDispatcherID       = "sluice-alert-dispatcher"
)

// AlertDispatcherInput tunes the dispatcher; zero values take defaults.
type AlertDispatcherInput struct {
	// Span is how long one dispatch activity runs (default 10 minutes).
	Span time.Duration `json:"span"`
	// HeartbeatTimeout is how soon a dead worker's dispatch is started again
	// elsewhere (default 30 seconds).
	HeartbeatTimeout time.Duration `json:"heartbeat_timeout"`
}

// alertSpansPerRun is how many dispatch activities one run executes before
// it continues as new, keeping its history short.
const alertSpansPerRun = 12

// AlertDispatcher runs the alert dispatch activity back to back, forever.
// Each activity heartbeats; a worker that dies mid-span has its activity
// retried on another worker once the heartbeat times out.
func AlertDispatcher(ctx workflow.Context, in AlertDispatcherInput) error {
	span := in.Span
	if span <= 0 {
		span = 10 * time.Minute
	}
	beat := in.HeartbeatTimeout
	if beat <= 0 {
		beat = 30 * time.Second
	}
	ctx = workflow.WithActivityOptions(ctx, alertDispatchOptions(span, beat))
	var a *activities.Alerts
	for i := 0; i < alertSpansPerRun; i++ {
		if err := workflow.ExecuteActivity(ctx, a.DispatchAlerts, activities.DispatchAlertsInput{For: span}).Get(ctx, nil); err != nil {
			if temporal.IsCanceledError(err) {
				return err
			}
			workflow.GetLogger(ctx).Warn("alert dispatch ended with an error; starting again", "error", err)
			if err := workflow.Sleep(ctx, 5*time.Second); err != nil {
				return err
			}
		}
	}
	return workflow.NewContinueAsNewError(ctx, AlertDispatcher, in)
}
