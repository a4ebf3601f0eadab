package bigquery

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// insertJob implements jobs.insert for query jobs. A dry run answers with
// the statement type and result schema (statistics.query) and runs nothing;
// a real run starts a job that getQueryResults then serves.
func (f *fakeBigQuery) insertJob(w http.ResponseWriter, r *http.Request) {
	var job struct {
		JobReference struct {
			ProjectID string `json:"projectId"`
			JobID     string `json:"jobId"`
			Location  string `json:"location"`
		} `json:"jobReference"`
		Configuration struct {
			DryRun       bool   `json:"dryRun"`
			JobTimeoutMs string `json:"jobTimeoutMs"` // int64 values travel as strings
			Query        *struct {
				Query           string           `json:"query"`
				UseLegacySQL    *bool            `json:"useLegacySql"`
				ParameterMode   string           `json:"parameterMode"`
				QueryParameters []map[string]any `json:"queryParameters"`
			} `json:"query"`
		} `json:"configuration"`
	}
	if err := json.NewDecoder(r.Body).Decode(&job); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid", "Invalid JSON payload received: "+err.Error())
		return
	}
	cfg := job.Configuration.Query
	switch {
	case cfg == nil:
		writeAPIError(w, http.StatusBadRequest, "invalid", "the fake runs query jobs only")
		return
	case cfg.UseLegacySQL == nil || *cfg.UseLegacySQL:
		// The API defaults to legacy SQL when useLegacySql is absent.
		writeAPIError(w, http.StatusBadRequest, "invalidQuery", "Legacy SQL was requested; sluice must send useLegacySql=false")
		return
	case job.JobReference.ProjectID != f.project || job.JobReference.JobID == "":
		writeAPIError(w, http.StatusBadRequest, "invalid", "jobReference must name the project and a job id")
		return
	case job.JobReference.Location != f.location:
		writeAPIError(w, http.StatusBadRequest, "invalid", fmt.Sprintf("job location %q, want %q", job.JobReference.Location, f.location))
		return
	}
	q, ok := f.queries[cfg.Query]
	if !ok {
		writeAPIError(w, http.StatusBadRequest, "invalidQuery", "Syntax error: Unexpected identifier at [1:1]")
		return
	}
	// parameterMode may be left out: named parameters imply NAMED.
	if q.params != nil && (cfg.ParameterMode == "POSITIONAL" || !sameJSON(cfg.QueryParameters, q.params)) {
		writeAPIError(w, http.StatusBadRequest, "invalidQuery", fmt.Sprintf("unexpected parameters %s %v", cfg.ParameterMode, cfg.QueryParameters))
		return
	}
	id := job.JobReference.JobID
	f.mu.Lock()
	defer f.mu.Unlock()
	if job.Configuration.DryRun {
		f.dryRuns = append(f.dryRuns, cfg.Query)
		res := f.jobResource(id, &q, "DONE")
		res["configuration"].(map[string]any)["dryRun"] = true
		writeJSON(w, res)
		return
	}
	if q.statementType != "SELECT" {
		f.t.Errorf("a %s statement was run as a job: %s", q.statementType, cfg.Query)
	}
	timeoutMs, _ := strconv.ParseInt(job.Configuration.JobTimeoutMs, 10, 64)
	f.runs = append(f.runs, cfg.Query)
	f.jobs[id] = &fakeJob{query: q, timeoutMs: timeoutMs, started: time.Now(), location: job.JobReference.Location}
	writeJSON(w, f.jobResource(id, &q, "RUNNING"))
}

// jobResource renders a Job; f.mu is held or the job is not stored.
func (f *fakeBigQuery) jobResource(id string, q *fakeQuery, state string) map[string]any {
	res := map[string]any{"kind": "bigquery#job", "id": f.project + ":" + id,
		"jobReference":  map[string]any{"projectId": f.project, "jobId": id, "location": f.location},
		"configuration": map[string]any{"jobType": "QUERY", "query": map[string]any{"useLegacySql": false}},
		"status":        map[string]any{"state": state}}
	if q != nil {
		res["statistics"] = map[string]any{"query": map[string]any{"statementType": q.statementType,
			"schema": map[string]any{"fields": q.fields}, "totalBytesProcessed": "0"}}
	}
	return res
}

// getJob implements jobs.get. A finished query job names its result table
// (configuration.query.destinationTable), an anonymous table in a hidden
// dataset that the fake Storage Read API serves the job's rows from.
func (f *fakeBigQuery) getJob(w http.ResponseWriter, r *http.Request, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	job, ok := f.jobs[id]
	if !ok || r.URL.Query().Get("location") != job.location {
		writeAPIError(w, http.StatusNotFound, "notFound", fmt.Sprintf("Not found: Job %s:%s.%s", f.project, r.URL.Query().Get("location"), id))
		return
	}
	state := "DONE"
	if job.query.hang {
		state = "RUNNING"
	}
	res := f.jobResource(id, &job.query, state)
	res["configuration"].(map[string]any)["query"].(map[string]any)["destinationTable"] =
		map[string]any{"projectId": f.project, "datasetId": anonDataset, "tableId": id}
	writeJSON(w, res)
}

// anonDataset holds query results, as BigQuery's hidden "_" datasets do.
const anonDataset = "_sluice_fake_results"

// getQueryResults implements jobs.getQueryResults: it waits for the job
// (answering jobComplete=false while it runs) and pages through its rows by
// maxResults and startIndex or pageToken.
func (f *fakeBigQuery) getQueryResults(w http.ResponseWriter, r *http.Request, id string) {
	f.mu.Lock()
	job, ok := f.jobs[id]
	f.mu.Unlock()
	params := r.URL.Query()
	if !ok || params.Get("location") != job.location {
		writeAPIError(w, http.StatusNotFound, "notFound", fmt.Sprintf("Not found: Job %s:%s.%s", f.project, params.Get("location"), id))
		return
	}
	if params.Get("formatOptions.useInt64Timestamp") != "true" {
		writeAPIError(w, http.StatusBadRequest, "invalid", "the fake renders TIMESTAMP only as int64 microseconds")
		return
	}
	f.mu.Lock()
	f.pages = append(f.pages, params.Get("maxResults"))
	f.mu.Unlock()
	ref := map[string]any{"projectId": f.project, "jobId": id, "location": job.location}
	if job.query.hang {
		if !job.query.ignoreTimeout && job.timeoutMs > 0 && time.Since(job.started) > time.Duration(job.timeoutMs)*time.Millisecond {
			writeAPIError(w, http.StatusBadRequest, "timeout", fmt.Sprintf("Job timed out after %.1f sec", float64(job.timeoutMs)/1000))
			return
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-r.Context().Done():
		}
		writeJSON(w, map[string]any{"kind": "bigquery#getQueryResultsResponse", "jobReference": ref, "jobComplete": false})
		return
	}
	start, _ := strconv.Atoi(params.Get("startIndex"))
	if token := params.Get("pageToken"); token != "" {
		start, _ = strconv.Atoi(token)
	}
	end := len(job.query.rows)
	if m := params.Get("maxResults"); m != "" {
		n, _ := strconv.Atoi(m)
		end = min(start+n, end)
	}
	rows := []any{}
	for _, row := range job.query.rows[min(start, end):end] {
		rows = append(rows, map[string]any{"f": cells(row)})
	}
	res := map[string]any{"kind": "bigquery#getQueryResultsResponse", "jobReference": ref, "jobComplete": true,
		"schema": map[string]any{"fields": job.query.fields}, "totalRows": strconv.Itoa(len(job.query.rows)), "rows": rows}
	if end < len(job.query.rows) {
		res["pageToken"] = strconv.Itoa(end)
	}
	writeJSON(w, res)
}

// onlyJob returns the one job that ran.
func (f *fakeBigQuery) onlyJob(t *testing.T) *fakeJob {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.jobs) != 1 {
		t.Fatalf("%d jobs ran, want 1", len(f.jobs))
	}
	for _, j := range f.jobs {
		return j
	}
	return nil
}

// cells wraps a row's values as TableCell objects ({"v": value}).
func cells(row []any) []any {
	out := make([]any, len(row))
	for i, v := range row {
		out[i] = map[string]any{"v": v}
	}
	return out
}

// record and array build the wire form of RECORD and REPEATED cells.
func record(values ...any) any { return map[string]any{"f": cells(values)} }
func array(values ...any) any  { return cells(values) }

func sameJSON(got []map[string]any, want []map[string]any) bool {
	a, _ := json.Marshal(got)
	var x, y any
	_ = json.Unmarshal(a, &x)
	b, _ := json.Marshal(want)
	_ = json.Unmarshal(b, &y)
	return reflect.DeepEqual(x, y)
}
