package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/service"
	"github.com/sluice-dev/sluice/syncspec"
)

// registerSyncs serves sync configuration, history, triggers and replay (seed 000).
func (s *Server) registerSyncs(r *gin.RouterGroup) {
	r.POST("/v1/api/integrations/:id/sync", s.configureSync)
	r.GET("/v1/api/integrations/:id/sync", s.integrationAction(func(c *gin.Context, id uuid.UUID) (any, int, error) {
		cfg, err := s.svc.GetSyncConfig(c, teamID(c), id)
		return gin.H{"sync_config": syncConfigViewOf(cfg)}, http.StatusOK, err
	}))
	r.DELETE("/v1/api/integrations/:id/sync", s.integrationAction(s.deleteSync))
	for path, paused := range map[string]bool{"/pause": true, "/resume": false} {
		r.POST("/v1/api/integrations/:id/sync"+path, s.integrationAction(func(c *gin.Context, id uuid.UUID) (any, int, error) {
			cfg, err := s.svc.SetSyncPaused(c, teamID(c), id, paused)
			return gin.H{"sync_config": syncConfigViewOf(cfg)}, http.StatusOK, err
		}))
	}
	r.POST("/v1/api/integrations/:id/sync/run", s.integrationAction(func(c *gin.Context, id uuid.UUID) (any, int, error) {
		run, err := s.svc.RunSync(c, teamID(c), id)
		return gin.H{"data": runViewOf(run)}, http.StatusAccepted, err
	}))
	r.GET("/v1/api/integrations/:id/syncs", s.integrationAction(func(c *gin.Context, id uuid.UUID) (any, int, error) {
		limit, err := queryInt(c, "limit")
		if err != nil {
			return nil, 0, err
		}
		runs, err := s.svc.SyncHistory(c, teamID(c), id, limit)
		views := make([]runView, len(runs))
		for i, r := range runs {
			views[i] = runViewOf(r)
		}
		return gin.H{"data": views}, http.StatusOK, err
	}))
	r.GET("/v1/api/syncs/:id", s.integrationAction(func(c *gin.Context, id uuid.UUID) (any, int, error) {
		wait, err := queryDuration(c, "wait")
		if err != nil {
			return nil, 0, err
		}
		if wait > 0 {
			releaseSlot(c)
		}
		run, err := s.svc.WaitSyncRun(c, teamID(c), id, wait)
		return gin.H{"data": runViewOf(run)}, http.StatusOK, err
	}))
	r.POST("/v1/api/syncs/:id/replay", s.replaySync)
	r.POST("/v1/api/syncs/:id/cancel", s.integrationAction(func(c *gin.Context, id uuid.UUID) (any, int, error) {
		run, err := s.svc.CancelSync(c, teamID(c), id)
		return gin.H{"data": runViewOf(run), "cancel_requested": true}, http.StatusAccepted, err
	}))
}

// integrationAction wraps a handler of one path id: parse it, call, answer or fail.
func (s *Server) integrationAction(fn func(c *gin.Context, id uuid.UUID) (any, int, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathUUID(c, "id")
		if err != nil {
			fail(c, err)
			return
		}
		body, status, err := fn(c, id)
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(status, body)
	}
}

// syncConfigRequest is the seed's body; tables may be names or objects.
type syncConfigRequest struct {
	DestSchema        string            `json:"dest_schema"`
	Schedule          string            `json:"schedule"`
	Tables            []json.RawMessage `json:"tables"`
	LoadMethod        string            `json:"load_method"`
	DeleteMode        string            `json:"delete_mode"`
	DestIntegrationID *string           `json:"dest_integration_id"`
	TableParallelism  int               `json:"table_parallelism"`
	SplitRows         *int64            `json:"split_rows"`
}

func (r syncConfigRequest) input() (service.SyncConfigInput, error) {
	in := service.SyncConfigInput{DestSchema: r.DestSchema, Schedule: r.Schedule, LoadMethod: r.LoadMethod, DeleteMode: r.DeleteMode,
		TableParallelism: r.TableParallelism, SplitRows: r.SplitRows}
	for i, raw := range r.Tables {
		var spec syncspec.TableSpec
		if err := json.Unmarshal(raw, &spec.Name); err != nil {
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&spec); err != nil {
				return in, &service.InputError{Field: "tables[" + strconv.Itoa(i) + "]", Problem: "must be \"schema.table\" or {\"name\", \"cursor_field\", \"primary_keys\", \"delete_mode\"}"}
			}
		}
		in.Tables = append(in.Tables, spec)
	}
	if r.DestIntegrationID != nil && *r.DestIntegrationID != "" {
		id, err := uuid.Parse(*r.DestIntegrationID)
		if err != nil {
			return in, &service.InputError{Field: "dest_integration_id", Problem: "is not a UUID"}
		}
		in.DestIntegrationID = &id
	}
	return in, nil
}

func (s *Server) configureSync(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var req syncConfigRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	in, err := req.input()
	if err != nil {
		fail(c, err)
		return
	}
	cfg, err := s.svc.ConfigureSync(c, teamID(c), id, in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"sync_config": syncConfigViewOf(cfg)})
}

// deleteSync deletes the sync; with drop_tables=true it drops the lake
// tables the sync owned first, and says which.
func (s *Server) deleteSync(c *gin.Context, id uuid.UUID) (any, int, error) {
	drop := c.Query("drop_tables")
	if drop != "" && drop != "false" && drop != "true" {
		return nil, 0, &service.InputError{Field: "drop_tables", Problem: "must be true or false"}
	}
	// A cdc sync's slot and publication are dropped at the source first;
	// the answer says so, or why not and how to drop them by hand.
	cleanup, err := s.svc.DropSyncCDC(c, teamID(c), id)
	if err != nil {
		return nil, 0, err
	}
	switch drop {
	case "", "false":
		body := gin.H{"deleted": true, "dropped_tables": []string{}}
		if cleanup != nil {
			body["cdc"] = cleanup
		}
		return body, http.StatusOK, s.svc.DeleteSyncConfig(c, teamID(c), id)
	case "true":
		res, err := s.svc.DeleteSyncConfigDroppingTables(c, teamID(c), id)
		body := gin.H{"deleted": true, "dropped_tables": res.Dropped}
		if cleanup != nil {
			body["cdc"] = cleanup
		}
		if res.Dropped == nil {
			body["dropped_tables"] = []string{}
		}
		if res.SnapshotID != 0 {
			body["snapshot_id"] = res.SnapshotID
		}
		return body, http.StatusOK, err
	}
	return nil, 0, &service.InputError{Field: "drop_tables", Problem: "must be true or false"}
}

func (s *Server) replaySync(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	var req struct {
		Tables string `json:"tables"`
	}
	if c.Request.ContentLength != 0 {
		if err := decodeJSON(c, &req); err != nil {
			fail(c, err)
			return
		}
	}
	if req.Tables != "" && req.Tables != "all" && req.Tables != "failed" {
		fail(c, &service.InputError{Field: "tables", Problem: `must be "failed" (the default) or "all"`})
		return
	}
	run, err := s.svc.ReplaySync(c, teamID(c), id, req.Tables == "all")
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"data": runViewOf(run)})
}

type syncConfigView struct {
	ID                string               `json:"id"`
	IntegrationID     string               `json:"integration_id"`
	DestIntegrationID string               `json:"dest_integration_id"`
	DestSchema        string               `json:"dest_schema"`
	Schedule          string               `json:"schedule"`
	Tables            []syncspec.TableSpec `json:"tables"`
	LoadMethod        string               `json:"load_method"`
	DeleteMode        string               `json:"delete_mode"`
	TableParallelism  int                  `json:"table_parallelism"`
	SplitRows         *int64               `json:"split_rows"`
	Paused            bool                 `json:"paused"`
	ScheduleID        string               `json:"schedule_id"`
	NextRunAt         *time.Time           `json:"next_run_at"`
	CreatedAt         time.Time            `json:"created_at"`
	UpdatedAt         time.Time            `json:"updated_at"`
}

func syncConfigViewOf(c service.SyncConfig) syncConfigView {
	return syncConfigView{
		ID: c.ID.String(), IntegrationID: c.IntegrationID.String(), DestIntegrationID: c.DestIntegrationID.String(),
		DestSchema: c.DestSchema, Schedule: c.Schedule, Tables: c.Tables, LoadMethod: c.LoadMethod, DeleteMode: c.DeleteMode, Paused: c.Paused,
		TableParallelism: int(c.TableParallelism), SplitRows: c.SplitRows,
		ScheduleID: c.ScheduleID, NextRunAt: c.NextRunAt, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

type runView struct {
	ID            string          `json:"id"`
	Status        string          `json:"status"`
	Trigger       string          `json:"trigger"`
	ReplayOf      *string         `json:"replay_of"`
	CreatedAt     time.Time       `json:"created_at"`
	StartedAt     *time.Time      `json:"started_at"`
	FinishedAt    *time.Time      `json:"finished_at"`
	RowsRead      int64           `json:"rows_read"`
	RowsWritten   int64           `json:"rows_written"`
	BytesWritten  int64           `json:"bytes_written"`
	Error         *string         `json:"error"`
	Tables        []runTableView  `json:"tables"`
	WorkflowID    string          `json:"workflow_id"`
	TemporalUIURL string          `json:"temporal_ui_url"`
	Config        json.RawMessage `json:"config"`
	// CDCLagBytes is the WAL a cdc run's replication slot held back on
	// the source when the run ended.
	CDCLagBytes *int64 `json:"cdc_lag_bytes,omitempty"`
}

type runTableView struct {
	Name      string `json:"name"`
	DestTable string `json:"dest_table"`
	Status    string `json:"status"`
	Rows      int64  `json:"rows"`
	RowsRead  int64  `json:"rows_read"`
	// RowsEstimate is the source's estimate of the table's rows when a full
	// read started (null for an incremental read or a source without one).
	RowsEstimate *int64          `json:"rows_estimate"`
	BytesWritten int64           `json:"bytes_written"`
	Error        *string         `json:"error"`
	SnapshotID   *int64          `json:"snapshot_id"`
	CursorField  *string         `json:"cursor_field,omitempty"`
	CursorBefore json.RawMessage `json:"cursor_before,omitempty"`
	CursorAfter  json.RawMessage `json:"cursor_after,omitempty"`
	Attempts     int32           `json:"attempts"`
	// RangeRows are the rows each key range of a split table has read,
	// keyed by range index (absent for a table copied whole).
	RangeRows json.RawMessage `json:"range_rows,omitempty"`
}

func runViewOf(r service.SyncRun) runView {
	v := runView{
		ID: r.ID.String(), Status: r.Status, Trigger: r.Trigger, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt,
		FinishedAt: r.FinishedAt, RowsRead: r.RowsRead, RowsWritten: r.RowsWritten, BytesWritten: r.BytesWritten, CDCLagBytes: r.CdcLagBytes,
		Error: r.Error, WorkflowID: r.WorkflowID, TemporalUIURL: r.TemporalUIURL, Config: r.Config,
		Tables: make([]runTableView, len(r.Tables)),
	}
	if r.ReplayOf.Valid {
		id := r.ReplayOf.UUID.String()
		v.ReplayOf = &id
	}
	var readSoFar int64
	for i, t := range r.Tables {
		v.Tables[i] = runTableViewOf(t)
		readSoFar += t.RowsRead
	}
	// A run's totals are summed when it finishes; until then its tables'
	// live counts are the truth.
	if r.FinishedAt == nil {
		v.RowsRead = readSoFar
	}
	return v
}

func runTableViewOf(t db.SyncRunTable) runTableView {
	return runTableView{
		Name: t.SourceTable, DestTable: t.DestTable, Status: t.Status, Rows: t.RowsWritten, RowsRead: t.RowsRead, RowsEstimate: t.RowsEstimate,
		BytesWritten: t.BytesWritten, Error: t.Error, SnapshotID: t.SnapshotID, CursorField: t.CursorField,
		CursorBefore: t.CursorBefore, CursorAfter: t.CursorAfter, Attempts: t.Attempts, RangeRows: t.RangeRows,
	}
}
