package activities

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.temporal.io/server/temporaltest"
)

// A copy records progress from calls whose contexts end soon after (a
// source watch stopped once the keys are read, a writer call returned),
// then works on: its commit, its delete detection. The SDK sends a beat
// held back by its throttle later, and it used to send it on the caller's
// ended context, fail, and cancel the whole copy a second into its commit.
// Here, on a real Temporal server and worker, progress comes from a call
// whose context ends at once and the activity then works for three
// seconds: it must not be cancelled.
func TestProgressFromAnEndedCallDoesNotCancelTheCopy(t *testing.T) {
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	c := ts.GetDefaultClient()
	queue := "copy-beats-" + fmt.Sprint(time.Now().UnixNano())
	w := worker.New(c, queue, worker.Options{MaxHeartbeatThrottleInterval: time.Second})
	w.RegisterActivityWithOptions(func(ctx context.Context) error {
		beats := startCopyBeats(ctx, copyProgress{})
		defer beats.stop()
		sink := &lakeSink{beats: beats}
		call, end := context.WithCancel(ctx)
		for range 3 {
			if err := sink.written(call, 1); err != nil {
				end()
				return err
			}
		}
		end()
		select {
		case <-time.After(3 * time.Second):
			return nil
		case <-ctx.Done():
			return fmt.Errorf("the copy was cancelled: %w", context.Cause(ctx))
		}
	}, activity.RegisterOptions{Name: "RecordThenWork"})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute,
			HeartbeatTimeout: 30 * time.Second, RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 1}})
		return workflow.ExecuteActivity(ctx, "RecordThenWork").Get(ctx, nil)
	}, workflow.RegisterOptions{Name: "RecordThenWorkflow"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: queue}, "RecordThenWorkflow")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatalf("the activity failed: %v", err)
	}
}
