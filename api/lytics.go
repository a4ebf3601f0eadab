package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/service"
)

// envelope answers in Lytics' {"data", "status", "message"} shape (seed 003).
func envelope(c *gin.Context, status int, data any) {
	c.JSON(status, gin.H{"data": data, "status": status, "message": "success"})
}

var lytics = facade{
	one:     func(c *gin.Context, status int, v integrationView) { envelope(c, status, v) },
	many:    func(c *gin.Context, vs []integrationView) { envelope(c, http.StatusOK, vs) },
	deleted: func(c *gin.Context, id string) { envelope(c, http.StatusOK, gin.H{"id": id, "deleted": true}) },
}

// registerLytics serves the connections facade (seed 003) over the same rows as /v1.
func (s *Server) registerLytics(r *gin.RouterGroup) {
	s.registerIntegrationRoutes(r, "/v2/connection", lytics)
	s.registerDiscovery(r, "/v2/connection", respondEnvelope)
	s.registerAI(r, "/v2/connection")
	r.POST("/v2/connection/:id/scan", s.scan)
	r.GET("/v2/connectionconfig", func(c *gin.Context) { envelope(c, http.StatusOK, connectors.Catalog()) })
	r.GET("/v2/connectionconfig/:id", func(c *gin.Context) {
		spec, ok := connectors.Lookup(strings.ToLower(c.Param("id"))) // "Snowflake" as well as "snowflake"
		if !ok {
			fail(c, &service.MissingError{What: fmt.Sprintf("connection type %q not found; GET /v2/connectionconfig lists them", clip(c.Param("id")))})
			return
		}
		envelope(c, http.StatusOK, spec)
	})
}
