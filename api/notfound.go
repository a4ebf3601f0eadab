package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// notFound answers a path no route serves.
var notFound = &requestError{status: http.StatusNotFound, code: "not_found", msg: "not found"}

// pathUUID parses a path parameter as a UUID. A malformed id is the
// caller's mistake, not a missing resource: 400 saying what an id looks like.
func pathUUID(c *gin.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, badRequest(fmt.Sprintf("%s id %q is malformed: ids are UUIDs such as 0b7e5c1e-8a2f-4c35-9d1b-2f6a3e4c5d6f",
			resourceOf(c.FullPath()), clip(c.Param(name))))
	}
	return id, nil
}

// bodyUUID parses an id sent in a request body or query under field.
func bodyUUID(field, value string) (uuid.UUID, error) {
	id, err := uuid.Parse(value)
	if err != nil {
		return uuid.Nil, badRequest(fmt.Sprintf("%s %q is malformed: ids are UUIDs such as 0b7e5c1e-8a2f-4c35-9d1b-2f6a3e4c5d6f", field, clip(value)))
	}
	return id, nil
}

// notFoundMessage says what a bare service.ErrNotFound was looking for,
// from the route asked: the service answers one sentinel for "no such row in
// this team", and "not found" alone leaves the caller guessing which id of
// the request was wrong. Another team's resource reads the same as none.
func notFoundMessage(c *gin.Context) string {
	route, id := c.FullPath(), clip(c.Param("id"))
	switch {
	case route == "":
		return fmt.Sprintf("no route %s %s; the API is described at /api/docs", c.Request.Method, clip(c.Request.URL.Path))
	case strings.Contains(route, "/schema/:table"):
		return fmt.Sprintf("table %q not found in integration %s (or no such integration in this team)", clip(c.Param("table")), id)
	case strings.HasPrefix(route, "/v1/api/integrations/:id/sync"):
		return fmt.Sprintf("integration %s not found in this team, or it has no sync configured (configure one with POST /v1/api/integrations/%s/sync)", id, id)
	case strings.Contains(route, "/lake/tables/:table"):
		return fmt.Sprintf("table %q not found in the team's lake", clip(c.Param("table")))
	case strings.Contains(route, ":app_name"):
		return fmt.Sprintf("pipeline app %q not found in this team", clip(c.Param("app_name")))
	case strings.Contains(route, ":id"):
		return fmt.Sprintf("%s %s not found in this team", resourceOf(route), id)
	case route == "/v1/query":
		return "integration_id names no integration of this team; list them with GET /v1/api/integrations"
	}
	return "not found in this team"
}

// resourceOf names what a route's :id is.
func resourceOf(route string) string {
	switch {
	case strings.HasPrefix(route, "/v1/api/syncs/"):
		return "sync run"
	case strings.HasPrefix(route, "/api/tokens/"):
		return "token"
	case strings.HasPrefix(route, "/v2/connectionconfig/"):
		return "connection type"
	case strings.HasPrefix(route, "/v2/connection/"):
		return "connection"
	case strings.HasPrefix(route, "/v1/api/alerts/channels/"):
		return "alert channel"
	case strings.HasPrefix(route, "/v1/api/alerts/rules/"):
		return "alert rule"
	}
	return "integration"
}

// clip keeps a name from the request short enough to quote in a message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
