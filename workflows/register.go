package workflows

import "go.temporal.io/sdk/worker"

// Register registers every sluice workflow on r.
func Register(r worker.WorkflowRegistry) {
	r.RegisterWorkflow(ValidateIntegration)
	r.RegisterWorkflow(EmbedSchema)
	r.RegisterWorkflow(SyncWorkflow)
	r.RegisterWorkflow(TaskRunWorkflow)
}
