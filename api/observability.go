package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// maxObservabilityInFlight bounds the observability requests served at once.
// Pipelines report in bursts; past this many the server answers 503 at once
// (with Retry-After) instead of queueing on the database without bound.
var maxObservabilityInFlight = 64

// registerObservability serves pipeline observability (seed 001): reports
// under /log/*, reads under /api/*, and OpenLineage events at
// /api/v1/lineage. Load is shed before authentication, since authenticating
// already costs a database round trip.
func (s *Server) registerObservability(r *gin.Engine) {
	shed := newLoadShedder(maxObservabilityInFlight)
	g := r.Group("/", shed.admit, s.requireTeam)

	g.POST("/log/task", s.logTask)
	g.POST("/log/tf", s.logTransformation)
	g.POST("/log/dataset", s.logDataset)
	g.POST("/log/metrics", s.logMetrics)
	g.POST("/api/v1/lineage", s.postOpenLineage)

	g.GET("/api/pipelines", s.listPipelines)
	g.GET("/api/pipelines/:app_name/tasks", s.listAppTasks)
	g.PUT("/api/pipelines/:app_name/settings", s.putAppSettings)
	g.GET("/api/tasks", s.listTaskRuns)
	g.GET("/api/tasks/*task_id", s.getTaskRun)
	g.GET("/api/datasets", s.listDatasets)
	g.GET("/api/datasets/*name", s.getDataset)
	g.GET("/api/metrics", s.getMetrics)
	g.GET("/api/lineage", s.getLineage)
}

// loadShedder admits a bounded number of requests at once and refuses the
// rest immediately, so overload shows as fast 503s rather than slow answers.
type loadShedder struct{ slots chan struct{} }

func newLoadShedder(n int) *loadShedder { return &loadShedder{slots: make(chan struct{}, n)} }

var overloaded = &requestError{status: http.StatusServiceUnavailable, code: "overloaded",
	msg: "sluice is receiving more reports than it can record; retry after the Retry-After delay"}

func (l *loadShedder) admit(c *gin.Context) {
	select {
	case l.slots <- struct{}{}:
		defer func() { <-l.slots }()
		c.Next()
	default:
		fail(c, overloaded)
	}
}
