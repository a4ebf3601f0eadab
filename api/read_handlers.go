package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sluice-dev/sluice/service"
)

// queryInt parses an optional integer query parameter (0 when absent).
func queryInt(c *gin.Context, name string) (int, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, &service.InputError{Field: name, Problem: "must be a whole number"}
	}
	return n, nil
}

// maxQuerySeconds keeps a duration given in seconds far from overflowing.
const maxQuerySeconds = 1 << 20

// queryDuration parses an optional duration query parameter: Go's form
// ("30s", "1m") or whole seconds ("30"); zero when absent.
func queryDuration(c *gin.Context, name string) (time.Duration, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 || secs > maxQuerySeconds {
			return 0, &service.InputError{Field: name, Problem: fmt.Sprintf("must be between 0 and %d seconds", maxQuerySeconds)}
		}
		return time.Duration(secs) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, &service.InputError{Field: name, Problem: `must be a duration such as "30s", or whole seconds`}
	}
	return d, nil
}

// timeRange parses the optional since and until query parameters.
func timeRange(c *gin.Context) (since, until *time.Time, err error) {
	if since, err = optionalTime("since", c.Query("since")); err != nil {
		return nil, nil, err
	}
	until, err = optionalTime("until", c.Query("until"))
	return since, until, err
}

func pageRequest(c *gin.Context) (service.PageRequest, error) {
	limit, err := queryInt(c, "limit")
	return service.PageRequest{Limit: limit, Cursor: c.Query("cursor")}, err
}

// catchAllParam reads a *name path parameter: everything after the route's
// prefix, so names holding slashes (paths, URIs) can be asked for.
func catchAllParam(c *gin.Context, name string) string {
	return strings.TrimPrefix(c.Param(name), "/")
}

type pipelineView struct {
	AppName            string              `json:"app_name"`
	Env                string              `json:"env"`
	Envs               []string            `json:"envs"`
	TaskCount          int                 `json:"task_count"`
	RunCount           int                 `json:"run_count"`
	TaskTimeoutSeconds *int64              `json:"task_timeout_seconds"`
	LastRun            *service.RunSummary `json:"last_run"`
}

func timeoutSeconds(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	s := int64(*d / time.Second)
	return &s
}

func (s *Server) listPipelines(c *gin.Context) {
	page, err := pageRequest(c)
	if err != nil {
		fail(c, err)
		return
	}
	pipelines, next, err := s.svc.ListPipelines(c, teamID(c), page)
	if err != nil {
		fail(c, err)
		return
	}
	views := make([]pipelineView, 0, len(pipelines))
	for _, p := range pipelines {
		v := pipelineView{AppName: p.AppName, Envs: p.Envs, TaskCount: p.TaskCount, RunCount: p.RunCount,
			TaskTimeoutSeconds: timeoutSeconds(p.TaskTimeout), LastRun: p.LastRun}
		if p.LastRun != nil {
			v.Env = p.LastRun.Env
		}
		views = append(views, v)
	}
	c.JSON(http.StatusOK, gin.H{"pipelines": views, "next_cursor": next})
}

type appTaskView struct {
	TaskName string             `json:"task_name"`
	TaskType string             `json:"task_type"`
	RunCount int                `json:"run_count"`
	LastRun  service.RunSummary `json:"last_run"`
}

func (s *Server) listAppTasks(c *gin.Context) {
	app := c.Param("app_name")
	tasks, err := s.svc.ListAppTasks(c, teamID(c), app)
	if err != nil {
		fail(c, err)
		return
	}
	views := make([]appTaskView, 0, len(tasks))
	for _, t := range tasks {
		views = append(views, appTaskView{TaskName: t.TaskName, TaskType: t.TaskType, RunCount: t.RunCount, LastRun: t.LastRun})
	}
	c.JSON(http.StatusOK, gin.H{"app_name": app, "tasks": views})
}

type appSettingsRequest struct {
	// TaskTimeoutSeconds is required; null restores the default.
	TaskTimeoutSeconds *int64 `json:"task_timeout_seconds"`
}

func (s *Server) putAppSettings(c *gin.Context) {
	var req appSettingsRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	in := service.AppSettings{AppName: c.Param("app_name")}
	if req.TaskTimeoutSeconds != nil {
		if *req.TaskTimeoutSeconds < 1 || *req.TaskTimeoutSeconds > 30*24*3600 {
			fail(c, &service.InputError{Field: "task_timeout_seconds", Problem: "must be between 1 and 2592000 (30 days), or null for the default"})
			return
		}
		d := time.Duration(*req.TaskTimeoutSeconds) * time.Second
		in.TaskTimeout = &d
	}
	settings, err := s.svc.SetAppSettings(c, teamID(c), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"app_name": settings.AppName, "task_timeout_seconds": timeoutSeconds(settings.TaskTimeout)})
}

func (s *Server) listTaskRuns(c *gin.Context) {
	page, err := pageRequest(c)
	if err != nil {
		fail(c, err)
		return
	}
	f := service.TaskRunFilter{AppName: c.Query("app_name"), Status: c.Query("status"), Env: c.Query("env"), Page: page}
	if f.Since, f.Until, err = timeRange(c); err != nil {
		fail(c, err)
		return
	}
	runs, next, err := s.svc.ListTaskRuns(c, teamID(c), f)
	if err != nil {
		fail(c, err)
		return
	}
	views := make([]taskView, 0, len(runs))
	for _, r := range runs {
		views = append(views, taskViewOf(r))
	}
	c.JSON(http.StatusOK, gin.H{"tasks": views, "next_cursor": next})
}

type taskDetailView struct {
	taskView
	Transformations []service.TaskTransformation `json:"transformations"`
	Datasets        []service.TaskDataset        `json:"datasets"`
	Metrics         []service.MetricValue        `json:"metrics"`
	Anomalies       []service.Anomaly            `json:"anomalies"`
}

func (s *Server) getTaskRun(c *gin.Context) {
	d, err := s.svc.GetTaskRun(c, teamID(c), catchAllParam(c, "task_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"task": taskDetailView{taskView: taskViewOf(d.TaskRun),
		Transformations: d.Transformations, Datasets: d.Datasets, Metrics: d.Metrics, Anomalies: d.Anomalies}})
}

func (s *Server) listDatasets(c *gin.Context) {
	page, err := pageRequest(c)
	if err != nil {
		fail(c, err)
		return
	}
	datasets, next, err := s.svc.ListDatasets(c, teamID(c), c.Query("prefix"), page)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"datasets": datasets, "next_cursor": next})
}

type datasetDetailView struct {
	service.DatasetSummary
	Properties map[string]string           `json:"properties"`
	Versions   []service.SchemaVersion     `json:"versions"`
	Changes    []service.SchemaChangeEvent `json:"changes"`
}

func (s *Server) getDataset(c *gin.Context) {
	d, err := s.svc.GetDataset(c, teamID(c), catchAllParam(c, "name"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"dataset": datasetDetailView{DatasetSummary: d.DatasetSummary,
		Properties: d.Properties, Versions: d.Versions, Changes: d.Changes}})
}

func (s *Server) getMetrics(c *gin.Context) {
	q := service.MetricQuery{AssetName: c.Query("asset_name"), MetricType: c.Query("metric_type")}
	var err error
	if q.Limit, err = queryInt(c, "limit"); err != nil {
		fail(c, err)
		return
	}
	if q.Since, q.Until, err = timeRange(c); err != nil {
		fail(c, err)
		return
	}
	series, err := s.svc.MetricSeriesOf(c, teamID(c), q)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"series": series})
}

func (s *Server) getLineage(c *gin.Context) {
	in := service.LineageRequest{Dataset: c.Query("dataset"), Direction: c.Query("direction"), Column: c.Query("column"),
		Level: c.Query("level")}
	var err error
	if in.Depth, err = queryInt(c, "depth"); err != nil {
		fail(c, err)
		return
	}
	if in.At, err = optionalTime("at", c.Query("at")); err != nil {
		fail(c, err)
		return
	}
	g, err := s.svc.Lineage(c, teamID(c), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", g.JSON())
}
