package workflows

import (
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
)

// Register registers every sluice workflow on r with the default Options.
func Register(r worker.WorkflowRegistry) {
	RegisterWith(r, Options{})
}

// RegisterWith registers every sluice workflow on r, SyncWorkflow running
// with opts under its usual name.
func RegisterWith(r worker.WorkflowRegistry, opts Options) {
	r.RegisterWorkflow(ValidateIntegration)
	r.RegisterWorkflow(EmbedSchema)
	r.RegisterWorkflowWithOptions(func(ctx workflow.Context, in SyncInput) (SyncOutput, error) {
		return syncWorkflow(ctx, in, opts)
	}, workflow.RegisterOptions{Name: "SyncWorkflow"})
	r.RegisterWorkflowWithOptions(SyncReport, workflow.RegisterOptions{Name: activities.SyncReportWorkflow})
	r.RegisterWorkflow(TaskRunWorkflow)
	r.RegisterWorkflowWithOptions(LakeMaintenance, workflow.RegisterOptions{Name: LakeMaintenanceWorkflow})
	r.RegisterWorkflowWithOptions(AlertDispatcher, workflow.RegisterOptions{Name: AlertDispatcherWorkflow})
}
