package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz checks sluice's database and Temporal, so a load balancer stops
// sending traffic while either is down.
func (s *Server) readyz(c *gin.Context) {
	if s.opts.Ready == nil {
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
		return
	}
	ctx, cancel := context.WithTimeout(c, 3*time.Second)
	defer cancel()
	if err := s.opts.Ready(ctx); err != nil {
		// The details (hosts, ports) go to the log, not to an unauthenticated caller.
		logger(c).Warn("not ready", "error", err.Error())
		c.Header("Retry-After", "5")
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "error": errorDetail{Code: "unavailable", Message: "a dependency is unavailable"}})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
