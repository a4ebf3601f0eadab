package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
)

// TestLakeTimeTravelContract checks what openapi.yaml says of ?snapshot and
// "at" on POST /v1/query: they read the lake (also by its own id), refuse to
// be combined or sent where there is no lake to travel in, and an unknown
// snapshot is a 404.
func TestLakeTimeTravelContract(t *testing.T) {
	f := newSyncFixture(t)
	f.configured(t, map[string]any{"dest_schema": "RAW", "schedule": "weekly", "load_method": "append", "tables": []any{f.schema + ".events"}})
	first := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	if second := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil); first["status"] != "succeeded" || second["status"] != "succeeded" {
		t.Fatalf("runs: %v / %v", first, second)
	}
	snap := int64(first["tables"].([]any)[0].(map[string]any)["snapshot_id"].(float64))
	teamID, err := f.env.Service.EnsureTeam(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	lake, err := f.env.Service.TeamLake(context.Background(), teamID)
	if err != nil {
		t.Fatal(err)
	}
	count := "SELECT count(*) AS n FROM RAW.events"

	res := f.env.Do(t, http.MethodPost, fmt.Sprintf("/v1/query?snapshot=%d", snap), f.token, map[string]any{"sql": count, "integration_id": lake.ID.String()})
	if res.Status != http.StatusOK || normalizeNumber(res.JSON(t)["data"].([]any)[0].(map[string]any)["n"]) != 300.0 {
		t.Fatalf("snapshot %d by the lake's id: %d %s", snap, res.Status, res.Body)
	}
	cases := []struct {
		name   string
		query  string
		body   map[string]any
		status int
		field  string
	}{
		{"snapshot not a number", "?snapshot=latest", map[string]any{"sql": count}, http.StatusBadRequest, "snapshot"},
		{"snapshot and at", fmt.Sprintf("?snapshot=%d", snap), map[string]any{"sql": count, "at": "2030-01-01T00:00:00Z"}, http.StatusBadRequest, "at"},
		{"unknown snapshot", "?snapshot=999999", map[string]any{"sql": count}, http.StatusNotFound, ""},
		{"at before the lake", "", map[string]any{"sql": count, "at": "2000-01-01T00:00:00Z"}, http.StatusNotFound, ""},
		{"snapshot on a source", fmt.Sprintf("?snapshot=%d", snap), map[string]any{"sql": "SELECT 1", "integration_id": f.id}, http.StatusBadRequest, "snapshot"},
		{"at on a source", "", map[string]any{"sql": "SELECT 1", "integration_id": f.id, "at": "2030-01-01T00:00:00Z"}, http.StatusBadRequest, "at"},
		{"at with cube_query", "", map[string]any{"cube_query": map[string]any{"measures": []any{"events.count"}}, "at": "2030-01-01T00:00:00Z"}, http.StatusBadRequest, "at"},
		{"snapshot with cube_query", fmt.Sprintf("?snapshot=%d", snap), map[string]any{"cube_query": map[string]any{"measures": []any{"events.count"}}}, http.StatusBadRequest, "snapshot"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := f.env.Do(t, http.MethodPost, "/v1/query"+tc.query, f.token, tc.body)
			if res.Status != tc.status {
				t.Fatalf("got %d %s, want %d", res.Status, res.Body, tc.status)
			}
			if field := res.JSON(t)["error"].(map[string]any)["field"]; tc.field != "" && field != tc.field {
				t.Fatalf("error names field %v, want %s: %s", field, tc.field, res.Body)
			}
		})
	}
}
