package activities

import "github.com/sluice-dev/sluice/connectors"

// Error types of sync activities that retrying cannot fix.
const (
	ErrTypeSchemaChange = "SchemaChange"
	ErrTypeValue        = "Value"
	ErrTypeTableProblem = "TableProblem"
	ErrTypeRunGone      = "RunGone"
)

// StartSyncRunInput identifies the run to start: the one the API recorded
// (RunID set), or, for a scheduled trigger, the configuration to record a
// run from, keyed by the workflow id so a retried start records it once.
type StartSyncRunInput struct {
	TeamID        string `json:"team_id"`
	IntegrationID string `json:"integration_id"`
	ConfigID      string `json:"config_id,omitempty"`
	RunID         string `json:"run_id,omitempty"`
	WorkflowID    string `json:"workflow_id"`
}

// StartSyncRunOutput names the started run.
type StartSyncRunOutput struct {
	RunID string `json:"run_id"`
}

// PrepareSyncRunInput identifies the run to prepare. Workflows started
// before runs were started by StartSyncRun leave RunID empty for scheduled
// runs, and PrepareSyncRun records them itself.
type PrepareSyncRunInput struct {
	TeamID        string   `json:"team_id"`
	IntegrationID string   `json:"integration_id"`
	ConfigID      string   `json:"config_id,omitempty"`
	RunID         string   `json:"run_id,omitempty"`
	WorkflowID    string   `json:"workflow_id"`
	Trigger       string   `json:"trigger"`
	OnlyTables    []string `json:"only_tables,omitempty"`
}

// SyncPlan is what a run will copy: table names and options, never rows.
type SyncPlan struct {
	RunID      string      `json:"run_id"`
	DestSchema string      `json:"dest_schema"`
	LoadMethod string      `json:"load_method"`
	ConfigID   string      `json:"config_id"`
	Tables     []TablePlan `json:"tables"`
	// TableParallelism is how many copy activities of the run (whole
	// tables or key ranges) run at once; 0, in plans from before it, is 2.
	TableParallelism int `json:"table_parallelism,omitempty"`
}

// TablePlan is one table of a run.
type TablePlan struct {
	Source      connectors.TableRef `json:"source"`
	DestTable   string              `json:"dest_table"`
	PrimaryKeys []string            `json:"primary_keys,omitempty"`
	CursorField string              `json:"cursor_field,omitempty"`
	// DeleteMode is what the copy does with lake rows whose key the source
	// no longer has (syncspec's keep, hard or soft); empty is keep.
	DeleteMode string `json:"delete_mode,omitempty"`
	// Problem, when set, is why the table cannot be copied (found while
	// planning); the run records it as the table's failure.
	Problem string `json:"problem,omitempty"`
	// KeyRanges, when set, split the copy: one CopyTableRange per range,
	// then one CopyTable that commits all their files (see planKeyRanges).
	KeyRanges []KeyRange `json:"key_ranges,omitempty"`
}

// CopyTableInput asks for one table to be copied into the lake.
type CopyTableInput struct {
	TeamID        string    `json:"team_id"`
	IntegrationID string    `json:"integration_id"`
	RunID         string    `json:"run_id"`
	ConfigID      string    `json:"config_id"`
	DestSchema    string    `json:"dest_schema"`
	LoadMethod    string    `json:"load_method"`
	Table         TablePlan `json:"table"`
	// Staged, when set, are the files the table's key ranges staged:
	// CopyTable commits them as one snapshot instead of reading the table.
	Staged []CopyTableRangeOutput `json:"staged,omitempty"`
}

// CopyTableOutput reports a copied table.
type CopyTableOutput struct {
	RowsRead     int64 `json:"rows_read"`
	RowsWritten  int64 `json:"rows_written"`
	BytesWritten int64 `json:"bytes_written"`
	SnapshotID   int64 `json:"snapshot_id"`
	// RowsDeleted are lake rows removed or marked because the source no
	// longer has their key; RowsRestored are marked rows whose key is back.
	RowsDeleted  int64 `json:"rows_deleted,omitempty"`
	RowsRestored int64 `json:"rows_restored,omitempty"`
}

// TableFailure is a table that did not copy, and why.
type TableFailure struct {
	Table  string `json:"table"`
	Status string `json:"status"`
	Error  string `json:"error"`
}

// FinishSyncRunInput records a run's outcome. Without a RunID it finishes
// the run recorded for WorkflowID, if there is one still queued or running:
// a scheduled run whose start failed may still have been recorded by an
// attempt whose answer was lost.
type FinishSyncRunInput struct {
	TeamID     string         `json:"team_id"`
	RunID      string         `json:"run_id,omitempty"`
	WorkflowID string         `json:"workflow_id,omitempty"`
	Status     string         `json:"status"`
	Error      string         `json:"error,omitempty"`
	Failures   []TableFailure `json:"failures,omitempty"`
}
