package api

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sluice-dev/sluice/observability"
	"github.com/sluice-dev/sluice/service"
)

// taskView is a task run as the observability API shows it.
type taskView struct {
	TaskID     string     `json:"task_id"`
	AppName    string     `json:"app_name"`
	TaskName   string     `json:"task_name"`
	TaskType   string     `json:"task_type"`
	Env        string     `json:"env"`
	AppPIT     *time.Time `json:"app_pit"`
	Status     string     `json:"status"`
	Error      string     `json:"error,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	EndedAt    *time.Time `json:"ended_at"`
	DurationMS *int64     `json:"duration_ms"`
	WorkflowID string     `json:"workflow_id"`
}

func taskViewOf(r service.TaskRun) taskView {
	return taskView{TaskID: r.TaskID, AppName: r.AppName, TaskName: r.TaskName, TaskType: r.TaskType, Env: r.Env,
		AppPIT: r.AppPIT, Status: r.Status, Error: r.Error, StartedAt: r.StartedAt, EndedAt: r.EndedAt,
		DurationMS: r.DurationMS, WorkflowID: r.WorkflowID}
}

type logTaskRequest struct {
	TaskID   flexibleString `json:"task_id"`
	Status   string         `json:"status"`
	AppName  string         `json:"app_name"`
	TaskName string         `json:"task_name"`
	TaskType string         `json:"task_type"`
	Env      string         `json:"env"`
	AppPIT   string         `json:"app_pit"`
	Result   string         `json:"result"`
	Error    string         `json:"error"`
}

// logTask starts (201, or 200 when repeated) or ends (202) a task run.
func (s *Server) logTask(c *gin.Context) {
	var req logTaskRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	switch req.Status {
	case "start":
		run, created, err := s.svc.StartTask(c, teamID(c), service.TaskStart{
			TaskID: string(req.TaskID), AppName: req.AppName, TaskName: req.TaskName, TaskType: req.TaskType,
			Env: req.Env, AppPIT: req.AppPIT,
		})
		if err != nil {
			fail(c, err)
			return
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		c.JSON(status, taskViewOf(run))
	case "end":
		run, err := s.svc.EndTask(c, teamID(c), service.TaskEnd{TaskID: string(req.TaskID), Result: req.Result, Error: req.Error})
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusAccepted, taskViewOf(run))
	default:
		fail(c, &service.InputError{Field: "status", Problem: fmt.Sprintf("%q is not start or end", req.Status)})
	}
}

type logTransformationRequest struct {
	TaskID        flexibleString               `json:"task_id"`
	TfID          flexibleString               `json:"tf_id"`
	Status        string                       `json:"status"`
	QueryStr      string                       `json:"query_str"`
	SQLDialect    string                       `json:"sql_dialect"`
	InputDatasets map[string]*inputDatasetJSON `json:"input_datasets"`
	Output        *struct {
		Name string `json:"name"`
	} `json:"output"`
}

type inputDatasetJSON struct {
	Columns []string `json:"columns"`
}

// logTransformation records a transformation and its lineage edges.
func (s *Server) logTransformation(c *gin.Context) {
	var req logTransformationRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if req.Output == nil {
		fail(c, &service.InputError{Field: "output", Problem: "is required: {\"name\": \"<dataset>\"}"})
		return
	}
	in := service.TransformationReport{TaskID: string(req.TaskID), TfID: string(req.TfID), Status: req.Status,
		QueryStr: req.QueryStr, SQLDialect: req.SQLDialect, Output: req.Output.Name}
	names := make([]string, 0, len(req.InputDatasets))
	for name := range req.InputDatasets {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		input := service.InputDataset{Name: name}
		if d := req.InputDatasets[name]; d != nil {
			input.Columns = d.Columns
		}
		in.Inputs = append(in.Inputs, input)
	}
	if err := s.svc.ReportTransformation(c, teamID(c), in); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"task_id": in.TaskID, "tf_id": in.TfID, "recorded": "transformation"})
}

type logDatasetRequest struct {
	TaskID   flexibleString  `json:"task_id"`
	TfID     *flexibleString `json:"tf_id"`
	DsName   string          `json:"ds_name"`
	DsType   string          `json:"ds_type"`
	Metadata []struct {
		InfoType  string         `json:"info_type"`
		InfoValue flexibleString `json:"info_value"`
		InfoNum   *int           `json:"info_num"`
	} `json:"metadata"`
}

// logDataset records a dataset's schema (metadata of info_type schema_field)
// and other metadata.
func (s *Server) logDataset(c *gin.Context) {
	var req logDatasetRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if len(req.Metadata) > observability.MaxSchemaFields {
		fail(c, &service.TooManyError{Field: "metadata", Count: len(req.Metadata), Max: observability.MaxSchemaFields})
		return
	}
	in := service.DatasetReport{TaskID: string(req.TaskID), Name: req.DsName, Type: req.DsType}
	if req.TfID != nil {
		in.TfID = string(*req.TfID)
	}
	for i, m := range req.Metadata {
		if m.InfoType != "schema_field" {
			if in.Properties == nil {
				in.Properties = map[string]string{}
			}
			in.Properties[m.InfoType] = string(m.InfoValue)
			continue
		}
		name, typ, err := observability.ParseSchemaField(string(m.InfoValue))
		if err != nil {
			fail(c, &service.InputError{Field: fmt.Sprintf("metadata[%d].info_value", i), Problem: err.Error()})
			return
		}
		position := i
		if m.InfoNum != nil {
			position = *m.InfoNum
		}
		in.Fields = append(in.Fields, observability.Field{Name: name, Type: typ, Position: position})
	}
	if err := s.svc.ReportDataset(c, teamID(c), in); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"task_id": in.TaskID, "ds_name": in.Name, "recorded": "dataset"})
}

type logMetricsRequest struct {
	TaskID  flexibleString `json:"task_id"`
	Metrics []struct {
		AssetName  string   `json:"asset_name"`
		AssetType  string   `json:"asset_type"`
		MetricType string   `json:"metric_type"`
		Value      *float64 `json:"value"`
	} `json:"metrics"`
}

// logMetrics appends metric values (up to 1,000 per request) to a run.
func (s *Server) logMetrics(c *gin.Context) {
	var req logMetricsRequest
	if err := decodeJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if len(req.Metrics) > observability.MaxMetricsPerBatch {
		fail(c, &service.TooManyError{Field: "metrics", Count: len(req.Metrics), Max: observability.MaxMetricsPerBatch})
		return
	}
	metrics := make([]service.Metric, len(req.Metrics))
	for i, m := range req.Metrics {
		if m.Value == nil {
			fail(c, &service.InputError{Field: fmt.Sprintf("metrics[%d].value", i), Problem: "is required and must be a number"})
			return
		}
		metrics[i] = service.Metric{AssetName: m.AssetName, AssetType: m.AssetType, MetricType: m.MetricType, Value: *m.Value}
	}
	if err := s.svc.ReportMetrics(c, teamID(c), string(req.TaskID), metrics); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"task_id": string(req.TaskID), "recorded": len(metrics)})
}
