// Package worker builds the Temporal worker that runs sluice's workflows and
// activities. It is the only place that registers them.
package worker

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/alerts"
	_ "github.com/sluice-dev/sluice/connectors/all" // every connector type can be opened
	"github.com/sluice-dev/sluice/embeddings"
	"github.com/sluice-dev/sluice/lake"
	"github.com/sluice-dev/sluice/secrets"
	"github.com/sluice-dev/sluice/workflows"
)

// Deps are what the activities need.
type Deps struct {
	Keyring *secrets.Keyring
	// Pool is sluice's own database, for activities that record state.
	Pool *pgxpool.Pool
	// TaskQueue overrides workflows.TaskQueue (tests give each worker its own).
	TaskQueue string
	// Embeddings computes schema embeddings; nil means the builtin provider.
	Embeddings embeddings.Provider
	// DataDir holds the teams' lake files (under lake/<team id>).
	DataDir string
	// Lakes is where the teams' lakes keep their files when SLUICE_LAKE_URL
	// is set; nil is DataDir/lake.
	Lakes *lake.Location
	// SyncReporter records finished sync runs in pipeline observability.
	SyncReporter activities.SyncReporter
	// Workflows tune the workflows this worker runs (zero: the defaults).
	Workflows workflows.Options
	// CopyChunkRows is how many rows a table copy reads between resume
	// points; zero means the activity's default.
	CopyChunkRows int
	// CDCWindowMB is how much WAL (MiB) one read of a cdc slot's changes
	// decodes; zero means the activity's default.
	CDCWindowMB int
	// LakeOrphanGrace is how old an unreferenced lake file must be before a
	// finished run removes it; zero means the activity's default.
	LakeOrphanGrace time.Duration
	// SyncTableParallelism is how many copies of a sync run run at once
	// when its sync does not say; zero means 2.
	SyncTableParallelism int
	// LakeSnapshotRetention is how long lake maintenance keeps snapshots;
	// zero means seven days.
	LakeSnapshotRetention time.Duration
	// Links build the links alert notifications carry.
	Links alerts.LinkBase
	// Alerts tunes the alert dispatcher (zero fields: its defaults); Pool,
	// Keyring and Links are filled in from the fields above.
	Alerts alerts.Dispatcher
}

// New builds a worker with every workflow and activity registered.
func New(c client.Client, deps Deps) sdkworker.Worker {
	queue := deps.TaskQueue
	if queue == "" {
		queue = workflows.TaskQueue
	}
	// Heartbeats reach Temporal at most a second late (the SDK's default is
	// 80% of the heartbeat timeout, 24s for a table copy): a cancelled run's
	// copy learns of the cancel only in a heartbeat's answer.
	w := sdkworker.New(c, queue, sdkworker.Options{MaxHeartbeatThrottleInterval: time.Second})
	workflows.RegisterWith(w, deps.Workflows)
	w.RegisterActivity(&activities.Integrations{Keyring: deps.Keyring})
	w.RegisterActivity(&activities.TaskRuns{Pool: deps.Pool, Links: deps.Links})
	w.RegisterActivity(&activities.Embeddings{Pool: deps.Pool, Keyring: deps.Keyring, Provider: deps.Embeddings})
	w.RegisterActivity(&activities.Syncs{Pool: deps.Pool, Keyring: deps.Keyring, DataDir: deps.DataDir, Lakes: deps.Lakes, Reporter: deps.SyncReporter, Temporal: c, ChunkRows: deps.CopyChunkRows,
		CDCWindowMB: deps.CDCWindowMB, OrphanGrace: deps.LakeOrphanGrace, Links: deps.Links, TableParallelism: deps.SyncTableParallelism})
	dispatcher := deps.Alerts
	dispatcher.Pool, dispatcher.Keyring, dispatcher.Links = deps.Pool, deps.Keyring, deps.Links
	w.RegisterActivity(&activities.Alerts{Dispatcher: &dispatcher})
	w.RegisterActivity(&activities.LakeMaintenance{Pool: deps.Pool, DataDir: deps.DataDir, Lakes: deps.Lakes, Retention: deps.LakeSnapshotRetention,
		OrphanGrace: deps.LakeOrphanGrace})
	return w
}

// StartAlertDispatcher starts the alert dispatcher workflow on queue, or
// leaves the running one be: every worker calls it when it starts.
func StartAlertDispatcher(ctx context.Context, c client.Client, queue string, in workflows.AlertDispatcherInput) error {
	if queue == "" {
		queue = workflows.TaskQueue
	}
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.AlertDispatcherID + "-" + queue, TaskQueue: queue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
	}, workflows.AlertDispatcherWorkflow, in)
	if err != nil {
		return fmt.Errorf("start the alert dispatcher: %w", err)
	}
	return nil
}
