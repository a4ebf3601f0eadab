package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/service"
	alertsvc "github.com/sluice-dev/sluice/service/alerts"
)

// registerAlerts serves a team's alert channels, rules and delivery logs.
func (s *Server) registerAlerts(r *gin.RouterGroup) {
	r.POST("/v1/api/alerts/channels", alertCreate(s, func(a *alertsvc.Service, c *gin.Context, team uuid.UUID, req alertsvc.ChannelRequest) (any, error) {
		return a.CreateChannel(c, team, req)
	}))
	r.GET("/v1/api/alerts/channels", s.alertList(func(a *alertsvc.Service, c *gin.Context, team uuid.UUID) (any, error) {
		list, err := a.ListChannels(c, team)
		return gin.H{"channels": list}, err
	}))
	r.GET("/v1/api/alerts/channels/:id", s.alertByID(func(a *alertsvc.Service, c *gin.Context, team, id uuid.UUID) (any, error) {
		return a.GetChannel(c, team, id)
	}))
	r.PATCH("/v1/api/alerts/channels/:id", alertUpdate(s, func(a *alertsvc.Service, c *gin.Context, team, id uuid.UUID, req alertsvc.ChannelRequest) (any, error) {
		return a.UpdateChannel(c, team, id, req)
	}))
	r.DELETE("/v1/api/alerts/channels/:id", s.alertDelete(func(a *alertsvc.Service, c *gin.Context, team, id uuid.UUID) error {
		return a.DeleteChannel(c, team, id)
	}))
	r.POST("/v1/api/alerts/channels/:id/test", s.alertByID(func(a *alertsvc.Service, c *gin.Context, team, id uuid.UUID) (any, error) {
		return a.TestChannel(c, team, id)
	}))
	r.GET("/v1/api/alerts/channels/:id/deliveries", s.alertByID(s.alertDeliveries))

	r.POST("/v1/api/alerts/rules", alertCreate(s, func(a *alertsvc.Service, c *gin.Context, team uuid.UUID, req alertsvc.RuleRequest) (any, error) {
		return a.CreateRule(c, team, req)
	}))
	r.GET("/v1/api/alerts/rules", s.alertList(func(a *alertsvc.Service, c *gin.Context, team uuid.UUID) (any, error) {
		list, err := a.ListRules(c, team)
		return gin.H{"rules": list}, err
	}))
	r.GET("/v1/api/alerts/rules/:id", s.alertByID(func(a *alertsvc.Service, c *gin.Context, team, id uuid.UUID) (any, error) {
		return a.GetRule(c, team, id)
	}))
	r.PATCH("/v1/api/alerts/rules/:id", alertUpdate(s, func(a *alertsvc.Service, c *gin.Context, team, id uuid.UUID, req alertsvc.RuleRequest) (any, error) {
		return a.UpdateRule(c, team, id, req)
	}))
	r.DELETE("/v1/api/alerts/rules/:id", s.alertDelete(func(a *alertsvc.Service, c *gin.Context, team, id uuid.UUID) error {
		return a.DeleteRule(c, team, id)
	}))
}

// alertService is the alert service, or an error saying it is not set up.
func (s *Server) alertService() (*alertsvc.Service, error) {
	if s.opts.Alerts == nil {
		return nil, &service.NotConfiguredError{What: "alerts are not configured on this server"}
	}
	return s.opts.Alerts, nil
}

// answer writes out with status, or the error.
func answer(c *gin.Context, status int, out any, err error) {
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(status, out)
}

func (s *Server) alertList(list func(*alertsvc.Service, *gin.Context, uuid.UUID) (any, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, err := s.alertService()
		if err != nil {
			fail(c, err)
			return
		}
		out, err := list(a, c, teamID(c))
		answer(c, http.StatusOK, out, err)
	}
}

func (s *Server) alertByID(get func(*alertsvc.Service, *gin.Context, uuid.UUID, uuid.UUID) (any, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, err := s.alertService()
		if err != nil {
			fail(c, err)
			return
		}
		id, err := pathUUID(c, "id")
		if err != nil {
			fail(c, err)
			return
		}
		out, err := get(a, c, teamID(c), id)
		answer(c, http.StatusOK, out, err)
	}
}

func (s *Server) alertDelete(del func(*alertsvc.Service, *gin.Context, uuid.UUID, uuid.UUID) error) gin.HandlerFunc {
	return s.alertByID(func(a *alertsvc.Service, c *gin.Context, team, id uuid.UUID) (any, error) {
		if err := del(a, c, team, id); err != nil {
			return nil, err
		}
		return gin.H{"deleted": true, "id": id}, nil
	})
}

// alertCreate decodes a request body of type R and answers 201.
func alertCreate[R any](s *Server, create func(*alertsvc.Service, *gin.Context, uuid.UUID, R) (any, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, err := s.alertService()
		if err != nil {
			fail(c, err)
			return
		}
		var req R
		if err := decodeJSON(c, &req); err != nil {
			fail(c, err)
			return
		}
		out, err := create(a, c, teamID(c), req)
		answer(c, http.StatusCreated, out, err)
	}
}

// alertUpdate decodes a request body of type R for the resource :id.
func alertUpdate[R any](s *Server, update func(*alertsvc.Service, *gin.Context, uuid.UUID, uuid.UUID, R) (any, error)) gin.HandlerFunc {
	return s.alertByID(func(a *alertsvc.Service, c *gin.Context, team, id uuid.UUID) (any, error) {
		var req R
		if err := decodeJSON(c, &req); err != nil {
			return nil, err
		}
		return update(a, c, team, id, req)
	})
}

// alertDeliveries lists a channel's delivery log, newest first; ?before=
// takes the page after the one whose last id it names.
func (s *Server) alertDeliveries(a *alertsvc.Service, c *gin.Context, team, id uuid.UUID) (any, error) {
	limit, err := queryInt(c, "limit")
	if err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > alertsvc.MaxDeliveryPage {
		return nil, &service.InputError{Field: "limit", Problem: "must be a whole number from 1 to " + strconv.Itoa(alertsvc.MaxDeliveryPage)}
	}
	var before int64
	if v := c.Query("before"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before < 1 {
			return nil, &service.InputError{Field: "before", Problem: "must be a delivery id (a positive whole number)"}
		}
	}
	list, err := a.Deliveries(c, team, id, limit, before)
	return gin.H{"deliveries": list}, err
}
