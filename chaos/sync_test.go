package chaos

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// createIntegration registers a Postgres integration with creds and returns its id.
func (s *stack) createIntegration(creds map[string]any) string {
	s.t.Helper()
	res := s.mustCall(http.StatusCreated, http.MethodPost, "/v1/api/integrations", map[string]any{"type": "postgres", "credentials": creds})
	return res["integration"].(map[string]any)["id"].(string)
}

// configureMerge configures a daily merge sync of tables into destSchema.
func (s *stack) configureMerge(integrationID, destSchema string, tables []string) {
	s.t.Helper()
	s.configureSync(integrationID, map[string]any{"dest_schema": destSchema, "load_method": "merge"}, tables)
}

// configureSync configures a daily sync of tables with the fields of body.
func (s *stack) configureSync(integrationID string, body map[string]any, tables []string) {
	s.t.Helper()
	names := make([]any, len(tables))
	for i, t := range tables {
		names[i] = t
	}
	body["schedule"], body["tables"] = "daily", names
	s.mustCall(http.StatusOK, http.MethodPost, "/v1/api/integrations/"+integrationID+"/sync", body)
}

// startRun triggers a manual run and returns its id.
func (s *stack) startRun(integrationID string) string {
	s.t.Helper()
	res := s.mustCall(http.StatusAccepted, http.MethodPost, "/v1/api/integrations/"+integrationID+"/sync/run", nil)
	return res["data"].(map[string]any)["id"].(string)
}

// finished reports whether a run's status is final.
func finished(status any) bool {
	switch status {
	case "succeeded", "failed", "partially_succeeded", "cancelled":
		return true
	}
	return false
}

// runState reads a run; nil when the API does not answer it right now.
func (s *stack) runState(runID string) map[string]any {
	r, err := s.call(http.MethodGet, "/v1/api/syncs/"+runID, nil)
	if err != nil || r.Status != http.StatusOK {
		return nil
	}
	data, _ := r.object()["data"].(map[string]any)
	return data
}

// waitRun polls a run until it is final or limit passes (then it fails the
// test) and returns its last state. Errors from the API while it is being
// faulted are polled through.
func (s *stack) waitRun(runID string, limit time.Duration) map[string]any {
	s.t.Helper()
	var state map[string]any
	if !eventually(limit, func() bool {
		if st := s.runState(runID); st != nil {
			state = st
		}
		return state != nil && finished(state["status"])
	}) {
		s.t.Fatalf("run %s did not finish within %s; last state: %v", runID, limit, state)
	}
	return state
}

// tableAttempts sums the attempts of a run's tables.
func tableAttempts(run map[string]any) int {
	n := 0
	tables, _ := run["tables"].([]any)
	for _, t := range tables {
		if a, ok := t.(map[string]any)["attempts"].(float64); ok {
			n += int(a)
		}
	}
	return n
}

// query runs SQL on the team's lake through /v1/query and returns the rows.
func (s *stack) query(t *testing.T, sql string) []map[string]any {
	t.Helper()
	r, err := s.callWithin(2*time.Minute, http.MethodPost, "/v1/query", map[string]any{"sql": sql})
	if err != nil {
		t.Fatalf("lake query: %v", err)
	}
	if r.Status != http.StatusOK {
		t.Fatalf("lake query %q: status %d: %s", sql, r.Status, r.Body)
	}
	raw, _ := r.object()["data"].([]any)
	rows := make([]map[string]any, len(raw))
	for i, row := range raw {
		rows[i], _ = row.(map[string]any)
	}
	return rows
}

// integer reads a JSON number, or a number the API sent as a string.
func integer(v any) int64 {
	switch v := v.(type) {
	case float64:
		return int64(v)
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(v, 64)
			if ferr != nil {
				return -1
			}
			return int64(f)
		}
		return n
	case nil:
		return 0
	}
	return -1
}
