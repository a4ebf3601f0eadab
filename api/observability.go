package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// registerObservability serves pipeline observability (seed 001): reports
// under /log/*, reads under /api/*, and OpenLineage events at
// /api/v1/lineage. Pipelines report in bursts; past Options.MaxInFlight of
// these requests at once the server answers 503 at once (with Retry-After)
// instead of queueing on the database without bound. Load is shed before
// authentication, since authenticating already costs a database round trip.
func (s *Server) registerObservability(r *gin.Engine) {
	shed := newLoadShedder(s.opts.MaxInFlight, overloaded)
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

// overloaded is the observability routes' refusal when they shed load.
var overloaded = &requestError{status: http.StatusServiceUnavailable, code: "overloaded",
	msg: "sluice is receiving more reports than it can record; retry after the Retry-After delay"}
