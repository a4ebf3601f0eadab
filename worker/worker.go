// Package worker builds the Temporal worker that runs sluice's workflows and
// activities. It is the only place that registers them.
package worker

import (
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/sluice-dev/sluice/activities"
	_ "github.com/sluice-dev/sluice/connectors/all" // every connector type can be opened
	"github.com/sluice-dev/sluice/secrets"
	"github.com/sluice-dev/sluice/workflows"
)

// Deps are what the activities need.
type Deps struct {
	Keyring *secrets.Keyring
}

// New builds a worker on sluice's task queue with every workflow and activity registered.
func New(c client.Client, deps Deps) sdkworker.Worker {
	w := sdkworker.New(c, workflows.TaskQueue, sdkworker.Options{})
	workflows.Register(w)
	w.RegisterActivity(&activities.Integrations{Keyring: deps.Keyring})
	return w
}
