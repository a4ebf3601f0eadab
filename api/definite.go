package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// definite shapes answers like seed 000: {"integration": …} and {"integrations": […]}.
var definite = facade{
	one: func(c *gin.Context, status int, v integrationView) { c.JSON(status, gin.H{"integration": v}) },
	many: func(c *gin.Context, vs []integrationView) {
		c.JSON(http.StatusOK, gin.H{"integrations": vs})
	},
	deleted: func(c *gin.Context, id string) { c.JSON(http.StatusOK, gin.H{"id": id, "deleted": true}) },
}

// registerDefinite serves the integrations facade (seed 000).
func (s *Server) registerDefinite(r *gin.RouterGroup) {
	s.registerIntegrationRoutes(r, "/v1/api/integrations", definite)
	s.registerDiscovery(r, "/v1/api/integrations", respondPlain)
	s.registerModels(r, "/v1/api/integrations")
	r.POST("/v1/query", s.query)
	s.registerSyncs(r)
}
