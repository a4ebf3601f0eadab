// Package workflows holds sluice's Temporal workflows. They only orchestrate:
// every read or write of the outside world happens in package activities.
package workflows

import (
	"slices"
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

// syncBookkeepingOptions cover planning and recording a run: short, and
// retried through brief outages of sluice's database or the source.
var syncBookkeepingOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 2 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    2 * time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    30 * time.Second,
		MaximumAttempts:    5,
		NonRetryableErrorTypes: []string{
			activities.ErrTypeNotSupported, activities.ErrTypeBadSecret, activities.ErrTypeRunGone,
		},
	},
}

// syncBookkeepingLocalOptions are syncBookkeepingOptions for the same
// activities run as local activities (see leanRun).
var syncBookkeepingLocalOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: syncBookkeepingOptions.StartToCloseTimeout,
	RetryPolicy:         syncBookkeepingOptions.RetryPolicy,
}

// syncReportOptions cover reporting a sync run's start and end to pipeline
// observability: short, and retried through brief outages of sluice's
// database or Temporal. A report that fails for good is logged and leaves
// the run as it is; every report is idempotent, so retrying one is safe.
var syncReportOptions = workflow.ActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        30 * time.Second,
		MaximumAttempts:        5,
		NonRetryableErrorTypes: []string{activities.ErrTypeRunGone},
	},
}

// copyTableOptions cover copying one table: long, heartbeating its progress
// so a dead worker is noticed within the heartbeat timeout and the retry
// resumes from the last heartbeat.
var copyTableOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 12 * time.Hour,
	HeartbeatTimeout:    30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    5 * time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    5 * time.Minute,
		MaximumAttempts:    5,
		NonRetryableErrorTypes: []string{
			activities.ErrTypeSchemaChange, activities.ErrTypeTableProblem,
			activities.ErrTypeNotSupported, activities.ErrTypeBadSecret, activities.ErrTypeRunGone,
		},
	},
}

// Options tune the workflows one worker runs; the zero value is sluice's
// defaults. Activity options are not part of a workflow's replayed state, so
// workers with different Options may share a task queue.
type Options struct {
	// CopyHeartbeatTimeout is how long a table copy may go without a
	// heartbeat before Temporal counts its worker dead and retries the copy;
	// zero keeps copyTableOptions' 30s. Shorter notices a dead worker sooner.
	CopyHeartbeatTimeout time.Duration
}

// captureChangesOptions are copyTableOptions for a cdc run, which also
// never retries a slot that is gone.
func (o Options) captureChangesOptions() workflow.ActivityOptions {
	opts := o.copyTableOptions()
	policy := *opts.RetryPolicy
	policy.NonRetryableErrorTypes = append(slices.Clip(policy.NonRetryableErrorTypes), activities.ErrTypeSlotGone)
	opts.RetryPolicy = &policy
	return opts
}

// copyTableOptions returns copyTableOptions with o's heartbeat timeout.
func (o Options) copyTableOptions() workflow.ActivityOptions {
	opts := copyTableOptions
	if o.CopyHeartbeatTimeout > 0 {
		opts.HeartbeatTimeout = o.CopyHeartbeatTimeout
	}
	return opts
}

// copyRangeOptions are a run's copy options for one key range of a split
// table, which the workflow waits for when it cancels it: a range
// cancelled by another's failure may finish staging all the same, and its
// answer names the files to discard.
func copyRangeOptions(copyOpts workflow.ActivityOptions) workflow.ActivityOptions {
	copyOpts.WaitForCancellation = true
	return copyOpts
}

// embedSchemaOptions bound a schema embedding run. It reads the source's
// catalog and calls the embeddings provider table by table, heartbeating
// the tables done and resuming from them; credentials that do not work, a
// deleted connection or an endpoint that refuses the request are not retried.
var embedSchemaOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 2 * time.Hour,
	HeartbeatTimeout:    2 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    5 * time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    5 * time.Minute,
		MaximumAttempts:    5,
		NonRetryableErrorTypes: []string{
			activities.ErrTypeValidationFailed,
			activities.ErrTypeNotSupported,
			activities.ErrTypeBadSecret,
			activities.ErrTypeIntegrationGone,
			activities.ErrTypeEmbeddingRefused,
		},
	},
}

// embedStateOptions bound the activity that records a failed run: it only
// writes sluice's own database, so it is retried like the task-run ones.
var embedStateOptions = taskRunOptions

// alertDispatchOptions bound one span of the alert dispatcher: it runs for
// span, heartbeating, and is retried without end (it only reads and writes
// sluice's database and the receivers, each of which may come back). There
// is no non-retryable type.
func alertDispatchOptions(span, heartbeat time.Duration) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: span + time.Minute,
		HeartbeatTimeout:    heartbeat,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:        time.Second,
			BackoffCoefficient:     2,
			MaximumInterval:        30 * time.Second,
			NonRetryableErrorTypes: []string{},
		},
	}
}
