package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/lake"
)

// LakeMaintenanceWorkflow is the name schedules and the CLI start it by.
const LakeMaintenanceWorkflow = "LakeMaintenance"

// LakeMaintenanceOutput is what one maintenance run did, step by step.
type LakeMaintenanceOutput struct {
	Compaction activities.LakeCompactOutput `json:"compaction"`
	Expiry     lake.ExpireResult            `json:"expiry"`
	Removed    activities.LakeRemoveOutput  `json:"removed"`
}

// lakeMaintenanceOptions bound one maintenance step. Compaction rewrites
// files table by table and heartbeats after each; every step is safe to
// repeat (a compaction or expiry that committed is not redone, and file
// removal only removes what is unreferenced), so every failure is retried.
var lakeMaintenanceOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 6 * time.Hour,
	HeartbeatTimeout:    10 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        10 * time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        10 * time.Minute,
		MaximumAttempts:        5,
		NonRetryableErrorTypes: []string{},
	},
}

// LakeMaintenance maintains one team's lake: it compacts small files, then
// expires snapshots past the retention, then removes the files no kept
// snapshot reads. Compaction runs first so the files it replaces are
// expired with the snapshots that read them once those age out.
func LakeMaintenance(ctx workflow.Context, in activities.LakeMaintenanceInput) (LakeMaintenanceOutput, error) {
	var out LakeMaintenanceOutput
	ctx = workflow.WithActivityOptions(ctx, lakeMaintenanceOptions)
	var a *activities.LakeMaintenance
	if err := workflow.ExecuteActivity(ctx, a.LakeCompact, in).Get(ctx, &out.Compaction); err != nil {
		return out, err
	}
	if err := workflow.ExecuteActivity(ctx, a.LakeExpireSnapshots, in).Get(ctx, &out.Expiry); err != nil {
		return out, err
	}
	if err := workflow.ExecuteActivity(ctx, a.LakeRemoveFiles, in).Get(ctx, &out.Removed); err != nil {
		return out, err
	}
	return out, nil
}
