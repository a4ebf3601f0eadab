package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// facade is how one public API shapes integration answers; the handlers
// behind both facades are the same.
type facade struct {
	one     func(c *gin.Context, status int, v integrationView)
	many    func(c *gin.Context, vs []integrationView)
	deleted func(c *gin.Context, id string)
}

// registerIntegrationRoutes serves list, create, get, update and delete under base.
func (s *Server) registerIntegrationRoutes(r *gin.RouterGroup, base string, f facade) {
	r.GET(base, s.listIntegrations(f))
	r.POST(base, s.createIntegration(f))
	r.GET(base+"/:id", s.getIntegration(f))
	r.PUT(base+"/:id", s.updateIntegration(f))
	r.DELETE(base+"/:id", s.deleteIntegration(f))
}

func (s *Server) listIntegrations(f facade) gin.HandlerFunc {
	return func(c *gin.Context) {
		list, err := s.svc.ListIntegrations(c, teamID(c), c.Query("type"))
		if err != nil {
			fail(c, err)
			return
		}
		f.many(c, viewsOf(list))
	}
}

func (s *Server) createIntegration(f facade) gin.HandlerFunc {
	return func(c *gin.Context) {
		var req integrationRequest
		if err := decodeJSON(c, &req); err != nil {
			fail(c, err)
			return
		}
		in, err := req.createInput()
		if err != nil {
			fail(c, err)
			return
		}
		created, err := s.svc.CreateIntegration(c, teamID(c), in)
		if err != nil {
			fail(c, err)
			return
		}
		f.one(c, http.StatusCreated, viewOf(created))
	}
}

func (s *Server) getIntegration(f facade) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathUUID(c, "id")
		if err != nil {
			fail(c, err)
			return
		}
		it, err := s.svc.GetIntegration(c, teamID(c), id)
		if err != nil {
			fail(c, err)
			return
		}
		f.one(c, http.StatusOK, viewOf(it))
	}
}

func (s *Server) updateIntegration(f facade) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathUUID(c, "id")
		if err != nil {
			fail(c, err)
			return
		}
		var req integrationRequest
		if err := decodeJSON(c, &req); err != nil {
			fail(c, err)
			return
		}
		patch, err := req.patch()
		if err != nil {
			fail(c, err)
			return
		}
		updated, err := s.svc.UpdateIntegration(c, teamID(c), id, patch)
		if err != nil {
			fail(c, err)
			return
		}
		f.one(c, http.StatusOK, viewOf(updated))
	}
}

func (s *Server) deleteIntegration(f facade) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathUUID(c, "id")
		if err != nil {
			fail(c, err)
			return
		}
		if err := s.svc.DeleteIntegration(c, teamID(c), id); err != nil {
			fail(c, err)
			return
		}
		f.deleted(c, id.String())
	}
}
