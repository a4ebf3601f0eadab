package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sluice-dev/sluice/service"
)

// cacheView tells a client how old a discovery answer is.
type cacheView struct {
	Cached     bool      `json:"cached"`
	FetchedAt  time.Time `json:"fetched_at"`
	AgeSeconds int64     `json:"age_seconds"`
}

func cacheOf[T any](d service.Discovered[T]) cacheView {
	return cacheView{Cached: d.Cached, FetchedAt: d.FetchedAt, AgeSeconds: int64(time.Since(d.FetchedAt).Seconds())}
}

// registerDiscovery serves schema discovery under base (both facades) with
// answers shaped by respond.
func (s *Server) registerDiscovery(r *gin.RouterGroup, base string, respond func(c *gin.Context, body gin.H)) {
	r.GET(base+"/:id/schema", func(c *gin.Context) {
		id, err := pathUUID(c, "id")
		if err != nil {
			fail(c, err)
			return
		}
		d, err := s.svc.ListTables(c, teamID(c), id, c.Query("refresh") == "true")
		if err != nil {
			fail(c, err)
			return
		}
		respond(c, gin.H{"tables": d.Value, "cache": cacheOf(d)})
	})
	r.GET(base+"/:id/schema/:table", func(c *gin.Context) {
		id, err := pathUUID(c, "id")
		if err != nil {
			fail(c, err)
			return
		}
		d, err := s.svc.DescribeTable(c, teamID(c), id, c.Param("table"), c.Query("refresh") == "true")
		if err != nil {
			fail(c, err)
			return
		}
		respond(c, gin.H{"table": d.Value.Table, "columns": d.Value.Columns, "cache": cacheOf(d)})
	})
}

func respondPlain(c *gin.Context, body gin.H) { c.JSON(http.StatusOK, body) }

func respondEnvelope(c *gin.Context, body gin.H) { envelope(c, http.StatusOK, body) }
