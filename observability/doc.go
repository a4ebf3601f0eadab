// Package observability holds the pure rules of pipeline observability: how a
// task run's workflow is named, how reported times and schemas are read, how a
// schema change is described and when a metric value is an anomaly. It does no
// I/O, so the service, the activities and the workflows share it freely.
package observability

import "time"

// DefaultTaskTimeout is how long a task run may go without reporting its end
// before it becomes timed_out, unless its app sets its own.
const DefaultTaskTimeout = 24 * time.Hour

// Task run statuses.
const (
	StatusRunning  = "running"
	StatusSuccess  = "success"
	StatusFailed   = "failed"
	StatusTimedOut = "timed_out"
)

// Limits on what one report may carry. They keep every request bounded in
// time and memory; the API answers 400 or 413 beyond them.
const (
	MaxIDLength        = 200   // task_id, tf_id
	MaxNameLength      = 200   // app_name, task_name, task_type, env, metric_type, asset_type, ds_type, status
	MaxDatasetName     = 1000  // dataset and asset names (paths and URIs can be long)
	MaxQueryLength     = 65536 // query_str
	MaxErrorLength     = 4096  // error on end
	MaxInputDatasets   = 1000  // input datasets of one transformation
	MaxColumnsPerInput = 2000  // columns named for one input dataset
	MaxColumnEdges     = 20000 // column-level edges of one transformation
	MaxSchemaFields    = 2000  // metadata entries of one dataset report
	MaxMetricsPerBatch = 1000  // metric values of one /log/metrics request
)
