package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/service"
)

// queryRequest is the body of POST /v1/query (seed 000).
type queryRequest struct {
	SQL           string         `json:"sql"`
	IntegrationID string         `json:"integration_id"`
	Limit         int            `json:"limit"`
	CubeQuery     map[string]any `json:"cube_query"`
}

// query runs SQL on one of the team's integrations and answers
// {"data": [...], "columns": [...], "row_count", "truncated", "elapsed_ms"}.
func (s *Server) query(c *gin.Context) {
	var req queryRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.CubeQuery != nil {
		fail(c, &service.NotSupportedError{What: "cube_query"})
		return
	}
	if req.IntegrationID == "" {
		fail(c, &service.InputError{Field: "integration_id", Problem: "is required (queries on the team's lake arrive with the lake)"})
		return
	}
	id, err := uuid.Parse(req.IntegrationID)
	if err != nil {
		fail(c, service.ErrNotFound)
		return
	}
	if req.Limit < 0 {
		fail(c, &service.InputError{Field: "limit", Problem: "must not be negative"})
		return
	}
	res, err := s.svc.Query(c, teamID(c), id, req.SQL, req.Limit)
	if err != nil {
		fail(c, err)
		return
	}
	cols := uniqueColumnNames(res.Columns)
	buf := make([]byte, 0, 64*len(res.Rows)+256)
	buf = append(buf, `{"data":`...)
	buf = appendRows(buf, cols, res.Rows)
	buf = append(buf, ',')
	buf = appendResultMeta(buf, cols, res)
	buf = append(buf, '}')
	c.Data(http.StatusOK, "application/json; charset=utf-8", buf)
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
	res, err := s.svc.Scan(c, teamID(c), id, req.Query, limit)
	if err != nil {
		fail(c, err)
		return
	}
	cols := uniqueColumnNames(res.Columns)
	buf := make([]byte, 0, 64*len(res.Rows)+256)
	buf = append(buf, `{"data":`...)
	buf = appendRows(buf, cols, res.Rows)
	buf = append(buf, `,"status":200,"message":"success","meta":{`...)
	buf = appendResultMeta(buf, cols, res)
	buf = append(buf, `}}`...)
	c.Data(http.StatusOK, "application/json; charset=utf-8", buf)
}
