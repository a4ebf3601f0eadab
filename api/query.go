package api

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sluice-dev/sluice/service"
)

// queryRequest is the body of POST /v1/query (seed 000).
type queryRequest struct {
	SQL           string          `json:"sql"`
	IntegrationID string          `json:"integration_id"`
	Limit         int             `json:"limit"`
	CubeQuery     json.RawMessage `json:"cube_query"`
	// At reads the lake as it was at that time (time travel).
	At *time.Time `json:"at"`
}

// query runs SQL on one of the team's integrations and answers
// {"data": [...], "columns": [...], "row_count", "truncated",
// "truncated_reason", "elapsed_ms"}. The query's memory is reserved until
// the answer is written (service.ReserveQueryMemory).
func (s *Server) query(c *gin.Context) {
	var req queryRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if len(req.CubeQuery) > 0 && string(req.CubeQuery) != "null" {
		s.cubeQuery(c, req)
		return
	}
	if req.Limit < 0 {
		fail(c, &service.InputError{Field: "limit", Problem: "must not be negative"})
		return
	}
	at, err := lakeAt(c, req.At)
	if err != nil {
		fail(c, err)
		return
	}
	ctx, free, err := s.svc.ReserveQueryMemory(c)
	if err != nil {
		fail(c, err)
		return
	}
	defer free() // after the answer is written
	var res service.QueryResult
	if req.IntegrationID == "" { // the team's lake
		res, err = s.svc.QueryLake(ctx, teamID(c), req.SQL, req.Limit, at)
	} else if id, parseErr := bodyUUID("integration_id", req.IntegrationID); parseErr != nil {
		err = parseErr
	} else {
		res, err = s.svc.QueryAt(ctx, teamID(c), id, req.SQL, req.Limit, at)
	}
	if err != nil {
		fail(c, err)
		return
	}
	writeResult(c, `{"data":`, res, func(meta []byte) []byte {
		return append(append([]byte{','}, meta...), '}')
	})
}

// lakeAt reads the snapshot to query: ?snapshot=N, or "at" in the body.
func lakeAt(c *gin.Context, at *time.Time) (service.LakeAt, error) {
	out := service.LakeAt{At: at}
	if raw := c.Query("snapshot"); raw != "" {
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 0 {
			return out, &service.InputError{Field: "snapshot", Problem: "must be a snapshot id (a non-negative integer)"}
		}
		out.Snapshot = &n
	}
	if out.Snapshot != nil && out.At != nil {
		return out, &service.InputError{Field: "at", Problem: "cannot be combined with ?snapshot; send one"}
	}
	return out, nil
}

// scanRequest is the body of POST /v2/connection/{id}/scan (seed 003).
type scanRequest struct {
	Query string `json:"query"`
}

// scan runs a query under Lytics' limits and answers in its envelope, with
// the result's columns and flags under "meta".
func (s *Server) scan(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	limit := 0
	if raw := c.Query("limit"); raw != "" {
		if limit, err = strconv.Atoi(raw); err != nil || limit < 1 {
			fail(c, &service.InputError{Field: "limit", Problem: "must be a positive integer"})
			return
		}
	}
	var req scanRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	ctx, free, err := s.svc.ReserveQueryMemory(c)
	if err != nil {
		fail(c, err)
		return
	}
	defer free() // after the answer is written
	res, err := s.svc.Scan(ctx, teamID(c), id, req.Query, limit)
	if err != nil {
		fail(c, err)
		return
	}
	writeResult(c, `{"data":`, res, func(meta []byte) []byte {
		return append(append([]byte(`,"status":200,"message":"success","meta":{`), meta...), `}}`...)
	})
}
