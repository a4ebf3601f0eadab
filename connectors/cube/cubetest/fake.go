// Package cubetest is an in-process FAKE of a Cube deployment's REST API,
// for tests only. It speaks the wire format Cube documents and nothing
// more: it runs no queries, answering a fixed result.
package cubetest

import (
	"encoding/json"
	"io"
	"net/http"
	"sync/atomic"
)

// Server is the fake. GET /cubejs-api/v1/meta answers {"cubes": [...]};
// POST /cubejs-api/v1/load takes {"query": …} and answers {"query", "data",
// "annotation", "lastRefreshTime"}, first answering HTTP 200
// {"error": "Continue wait"} Waits times, as Cube does while a query runs.
// A token other than Token (raw or "Bearer …") gets 403; a query without
// measures gets Cube's 400.
type Server struct {
	Token string
	Waits int32
	// Loads counts /load requests, "Continue wait" answers included.
	Loads atomic.Int32
}

// Answer is the data row every successful /load returns.
var Answer = map[string]any{"hubspot_deals.win_rate": "0.5", "hubspot_deals.close_date.month": "2024-01-01T00:00:00.000"}

// ServeHTTP answers one request.
func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if auth := r.Header.Get("Authorization"); auth != f.Token && auth != "Bearer "+f.Token {
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"error": "Invalid token"}`)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/cubejs-api/v1/meta":
		_, _ = io.WriteString(w, `{"cubes": [{"name": "hubspot_deals", "measures": [], "dimensions": []}, {"name": "companies"}]}`)
	case r.Method == http.MethodPost && r.URL.Path == "/cubejs-api/v1/load":
		f.load(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (f *Server) load(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Query map[string]any `json:"query"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Query == nil {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error": "Query should be a JSON object"}`)
		return
	}
	if measures, _ := body.Query["measures"].([]any); len(measures) == 0 {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error": "Query should contain either measures, dimensions or timeDimensions with granularities in order to be valid"}`)
		return
	}
	if f.Loads.Add(1) <= f.Waits {
		_, _ = io.WriteString(w, `{"error": "Continue wait"}`)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"query":           body.Query,
		"data":            []map[string]any{Answer},
		"annotation":      map[string]any{"measures": map[string]any{"hubspot_deals.win_rate": map[string]any{"title": "Deals Win Rate", "type": "number"}}},
		"lastRefreshTime": "2024-02-01T00:00:00.000Z",
	})
}
