package workflows

import (
	"errors"

	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
)

// errRunCancelled is a copy that never started: the run was cancelled
// while it waited for a slot.
var errRunCancelled = errors.New("the run was cancelled")

// newCopySlots returns a channel holding n tokens (defaultTableParallelism
// when n is 0): a copy activity takes one before it starts and gives it
// back when it ends, so at most n run at once.
func newCopySlots(ctx workflow.Context, n int) workflow.Channel {
	if n <= 0 {
		n = defaultTableParallelism
	}
	tokens := workflow.NewBufferedChannel(ctx, n)
	for i := 0; i < n; i++ {
		tokens.Send(ctx, struct{}{})
	}
	return tokens
}

// inSlot runs fn once it holds one of the slots, and gives it back after.
func inSlot(ctx workflow.Context, slots workflow.Channel, fn func() error) error {
	slots.Receive(ctx, nil)
	defer slots.Send(ctx, struct{}{})
	if ctx.Err() != nil {
		return errRunCancelled
	}
	return fn()
}

// copyWholeTable copies a table in one CopyTable activity, in a slot.
func copyWholeTable(ctx, copyCtx workflow.Context, slots workflow.Channel, in activities.CopyTableInput) error {
	var syncs *activities.Syncs
	return inSlot(ctx, slots, func() error {
		return workflow.ExecuteActivity(copyCtx, syncs.CopyTable, in).Get(ctx, nil)
	})
}
