package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
)

// splitTables is the change that copies a table planned as key ranges with
// one CopyTableRange activity per range and one CopyTable that commits
// them. Plans from before it have no ranges, so their histories never
// reach it; the marker keeps a run recorded then, replayed by code that
// plans ranges, copying whole.
const splitTables = "split-tables-into-key-ranges"

// copySplitTable stages the table's key ranges, each in its own activity
// taking a copy slot (on any worker, retried alone), then commits all
// their files as one snapshot with CopyTable, in a slot too. The workflow
// holds no slot while it waits, so ranges of one table and other tables
// share the run's parallelism without deadlock. When a range fails for
// good, the others are cancelled, nothing is committed and the files the
// finished ranges staged are discarded; history holds file lists, never rows.
// A commit that fails for good discards nothing: it may have committed
// before its answer was lost, and the lake's orphan cleanup removes only
// files no snapshot references.
func copySplitTable(ctx, copyCtx workflow.Context, slots workflow.Channel, in activities.CopyTableInput) error {
	var syncs *activities.Syncs
	rangesCtx, cancelRanges := workflow.WithCancel(ctx)
	defer cancelRanges()
	staged := make([]activities.CopyTableRangeOutput, len(in.Table.KeyRanges))
	rangeOf := in
	rangeOf.Table.KeyRanges = nil
	rangeOpts := copyRangeOptions(workflow.GetActivityOptions(copyCtx))
	var failed error
	wg := workflow.NewWaitGroup(ctx)
	for r, bounds := range in.Table.KeyRanges {
		wg.Add(1)
		workflow.Go(rangesCtx, func(gctx workflow.Context) {
			defer wg.Done()
			rangeCtx := workflow.WithActivityOptions(gctx, rangeOpts)
			err := inSlot(gctx, slots, func() error {
				rangeIn := activities.CopyTableRangeInput{Copy: rangeOf, Range: r, Bounds: bounds}
				return workflow.ExecuteActivity(rangeCtx, syncs.CopyTableRange, rangeIn).Get(gctx, &staged[r])
			})
			if err != nil && failed == nil {
				failed = err
				cancelRanges()
			}
		})
	}
	wg.Wait(ctx)
	if failed != nil {
		discardStaged(ctx, in.TeamID, staged)
		return failed
	}
	in.Staged = staged
	return copyWholeTable(ctx, copyCtx, slots, in)
}

// discardStaged removes the files of the ranges that finished, on a
// context that outlives a cancelled run. A failure to is only logged: the
// lake's orphan cleanup removes them later.
func discardStaged(ctx workflow.Context, teamID string, staged []activities.CopyTableRangeOutput) {
	in := activities.DiscardStagedInput{TeamID: teamID}
	for _, s := range staged {
		in.Files = append(in.Files, s.Files...)
	}
	if len(in.Files) == 0 {
		return
	}
	var syncs *activities.Syncs
	discardCtx := workflow.WithActivityOptions(finishContext(ctx), syncReportOptions)
	if err := workflow.ExecuteActivity(discardCtx, syncs.DiscardStagedFiles, in).Get(discardCtx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("staged files of a failed split table not discarded", "error", err)
	}
}
