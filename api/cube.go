package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/semantic"
	"github.com/sluice-dev/sluice/service"
)

// registerModels serves an integration's Cube-format data model.
func (s *Server) registerModels(r *gin.RouterGroup, base string) {
	r.PUT(base+"/:id/models", s.putModel)
	r.GET(base+"/:id/models", s.getModel)
}

// modelView describes a stored model.
type modelView struct {
	IntegrationID string           `json:"integration_id"`
	SHA256        string           `json:"sha256"`
	Summary       semantic.Summary `json:"summary"`
	CreatedAt     time.Time        `json:"created_at"`
	UpdatedAt     time.Time        `json:"updated_at"`
	Source        *string          `json:"source,omitempty"`
}

// putModel stores the request body (Cube YAML) as the integration's model.
func (s *Server) putModel(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	src, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, semantic.MaxModelBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		fail(c, &requestError{status: http.StatusRequestEntityTooLarge, code: "body_too_large",
			msg: fmt.Sprintf("the model is larger than %d bytes", semantic.MaxModelBytes)})
		return
	case err != nil:
		fail(c, badRequest("cannot read the model: "+err.Error()))
		return
	case len(strings.TrimSpace(string(src))) == 0:
		fail(c, badRequest("the body is empty; send the model as Cube YAML (cubes: …)"))
		return
	}
	info, err := s.svc.PutModel(c, teamID(c), id, src)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, modelViewOf(id, info, nil))
}

// getModel answers the stored model: as JSON with its source, or the YAML
// itself when the client accepts YAML and not JSON.
func (s *Server) getModel(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		fail(c, err)
		return
	}
	info, src, err := s.svc.GetModel(c, teamID(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	accept := c.GetHeader("Accept")
	if strings.Contains(accept, "yaml") && !strings.Contains(accept, "json") {
		c.Header("ETag", `"`+info.SHA256+`"`)
		c.Data(http.StatusOK, "application/yaml; charset=utf-8", []byte(src))
		return
	}
	c.JSON(http.StatusOK, modelViewOf(id, info, &src))
}

func modelViewOf(id uuid.UUID, info service.ModelInfo, src *string) modelView {
	return modelView{IntegrationID: id.String(), SHA256: info.SHA256, Summary: info.Summary,
		CreatedAt: info.CreatedAt, UpdatedAt: info.UpdatedAt, Source: src}
}

// cubeQuery answers POST /v1/query with a cube_query, in the shape of
// Cube's /load: {data, annotation, query, sql, …}. A cube integration's
// answer is Cube's own, passed through.
func (s *Server) cubeQuery(c *gin.Context, req queryRequest) {
	switch {
	case req.SQL != "":
		fail(c, badRequest("send either sql or cube_query, not both"))
		return
	case req.Limit != 0:
		fail(c, &service.InputError{Field: "limit", Problem: "applies to sql queries; put the limit inside cube_query"})
		return
	case req.At != nil:
		fail(c, &service.InputError{Field: "at", Problem: "applies to sql queries on the lake, not to cube_query"})
		return
	case c.Query("snapshot") != "":
		fail(c, &service.InputError{Field: "snapshot", Problem: "applies to sql queries on the lake, not to cube_query"})
		return
	}
	var id *uuid.UUID
	if req.IntegrationID != "" {
		parsed, err := bodyUUID("integration_id", req.IntegrationID)
		if err != nil {
			fail(c, err)
			return
		}
		id = &parsed
	}
	ctx, free, err := s.svc.ReserveQueryMemory(c)
	if err != nil {
		fail(c, err)
		return
	}
	defer free() // after the answer is written
	res, err := s.svc.CubeQuery(ctx, teamID(c), id, req.CubeQuery)
	if err != nil {
		fail(c, err)
		return
	}
	if res.Forwarded != nil {
		c.Data(http.StatusOK, "application/json; charset=utf-8", res.Forwarded)
		return
	}
	c.JSON(http.StatusOK, gin.H{
		"data": res.Data, "annotation": res.Annotation, "query": res.Query, "sql": res.SQL,
		"dbType": string(res.Dialect), "lastRefreshTime": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		"elapsed_ms": res.Elapsed.Milliseconds(), "truncated": res.Truncated, "truncated_reason": nullIfEmpty(res.TruncatedReason),
	})
}
