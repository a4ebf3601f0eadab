package syncspec

// Load methods.
const (
	LoadMerge     = "merge"
	LoadAppend    = "append"
	LoadOverwrite = "overwrite"
	// LoadCDC copies a Postgres source once, then applies the changes its
	// logical replication slot recorded since, merged on the primary keys.
	LoadCDC = "cdc"
)

// MergesOnKeys reports whether a load method upserts on primary keys (and
// so can apply deletes).
func MergesOnKeys(loadMethod string) bool { return loadMethod == LoadMerge || loadMethod == LoadCDC }

// TableSpec is one entry of a sync's table list: a selector ("public.users"
// or "public.*") with optional incremental cursor, primary-key override and
// delete mode (empty: the sync's).
type TableSpec struct {
	Name        string   `json:"name"`
	CursorField string   `json:"cursor_field,omitempty"`
	PrimaryKeys []string `json:"primary_keys,omitempty"`
	DeleteMode  string   `json:"delete_mode,omitempty"`
}

// Config is what a sync run runs with; each run keeps a copy so a replay
// runs exactly the same configuration again. An empty DeleteMode (runs
// recorded before there was one) is keep.
type Config struct {
	ConfigID          string      `json:"config_id"`
	IntegrationID     string      `json:"integration_id"`
	DestIntegrationID string      `json:"dest_integration_id"`
	DestSchema        string      `json:"dest_schema"`
	Schedule          string      `json:"schedule"`
	LoadMethod        string      `json:"load_method"`
	DeleteMode        string      `json:"delete_mode,omitempty"`
	Tables            []TableSpec `json:"tables"`
	// TableParallelism is how many copies of a run run at once; 0 (and runs
	// recorded before it existed) takes the worker's default.
	TableParallelism int `json:"table_parallelism,omitempty"`
	// SplitRows is the estimated size above which a table is copied as key
	// ranges; nil or 0 never splits.
	SplitRows *int64 `json:"split_rows,omitempty"`
}
