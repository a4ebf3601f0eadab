package api

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/sluice-dev/sluice/service"
	lakesvc "github.com/sluice-dev/sluice/service/lake"
)

// registerLake serves the browsing of the caller's team lake: its tables
// with their owners and sizes, one table's columns, and its snapshots.
func (s *Server) registerLake(r *gin.RouterGroup) {
	r.GET("/v1/api/lake/tables", s.lakeTables)
	r.GET("/v1/api/lake/tables/:table", s.lakeTable)
	r.GET("/v1/api/lake/snapshots", s.lakeSnapshots)
}

// lakeService is the lake service, or an error saying it is not set up.
func (s *Server) lakeService() (*lakesvc.Service, error) {
	if s.opts.Lake == nil {
		return nil, &service.NotConfiguredError{What: "lake browsing is not configured on this server"}
	}
	return s.opts.Lake, nil
}

func (s *Server) lakeTables(c *gin.Context) {
	ls, err := s.lakeService()
	if err != nil {
		fail(c, err)
		return
	}
	out, err := ls.Tables(c, teamID(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(200, out)
}

func (s *Server) lakeTable(c *gin.Context) {
	ls, err := s.lakeService()
	if err != nil {
		fail(c, err)
		return
	}
	out, err := ls.Table(c, teamID(c), c.Param("table"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(200, out)
}

func (s *Server) lakeSnapshots(c *gin.Context) {
	ls, err := s.lakeService()
	if err != nil {
		fail(c, err)
		return
	}
	var before *int64
	if v, ok := c.GetQuery("before"); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			fail(c, &service.InputError{Field: "before", Problem: "must be a snapshot id (a whole number)"})
			return
		}
		before = &n
	}
	limit := 0
	if v, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fail(c, &service.InputError{Field: "limit", Problem: "must be a whole number from 1 to " + strconv.Itoa(lakesvc.MaxSnapshotPage)})
			return
		}
		limit = n
	}
	out, err := ls.Snapshots(c, teamID(c), before, limit)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(200, out)
}
