package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestNotFoundNamesWhatWasLookedFor checks the message of a bare not-found
// on each kind of route: "not found" alone left the caller guessing.
func TestNotFoundNamesWhatWasLookedFor(t *testing.T) {
	gin.SetMode(gin.TestMode)
	cases := []struct{ route, path, want string }{
		{"/v1/api/integrations/:id", "/v1/api/integrations/abc", "integration abc not found"},
		{"/v2/connection/:id/scan", "/v2/connection/abc/scan", "connection abc not found"},
		{"/v1/api/syncs/:id/cancel", "/v1/api/syncs/abc/cancel", "sync run abc not found"},
		{"/api/tokens/:id", "/api/tokens/abc", "token abc not found"},
		{"/v1/api/integrations/:id/sync", "/v1/api/integrations/abc/sync", "has no sync configured"},
		{"/v1/api/lake/tables/:table", "/v1/api/lake/tables/s.t", `table "s.t" not found in the team's lake`},
		{"/api/pipelines/:app_name/tasks", "/api/pipelines/demo/tasks", `pipeline app "demo" not found`},
	}
	for _, tc := range cases {
		r := gin.New()
		var got string
		r.GET(tc.route, func(c *gin.Context) { got = notFoundMessage(c) })
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, tc.path, nil))
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want it to contain %q", tc.path, got, tc.want)
		}
	}
}
