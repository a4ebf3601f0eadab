// Package workflows holds sluice's Temporal workflows. They only orchestrate:
// every read or write of the outside world happens in package activities.
package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
)

// TaskQueue is the task queue every sluice workflow and activity runs on.
const TaskQueue = "sluice"

// validateOptions bound a credentials check: the API waits for it, so it must
// fail fast, and a bad credential is never retried.
var validateOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 25 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    500 * time.Millisecond,
		BackoffCoefficient: 2,
		MaximumAttempts:    2,
		NonRetryableErrorTypes: []string{
			activities.ErrTypeValidationFailed,
			activities.ErrTypeNotSupported,
			activities.ErrTypeBadSecret,
		},
	},
}

// taskRunOptions bound the task-run lifecycle activities. They only write
// sluice's own database, so every failure is worth retrying (there is no
// non-retryable type): a database outage of up to about ten minutes delays a
// run's end but does not lose it.
var taskRunOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        time.Minute,
		MaximumAttempts:        15,
		NonRetryableErrorTypes: []string{},
	},
}
