// Package api is sluice's HTTP API: a gin router with its middleware and one
// file per facade (Definite integrations, Lytics connections, tokens, health).
// Handlers translate shapes and call package service; errors become statuses
// in one place (errors.go).
package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sluice-dev/sluice/service"
	alertsvc "github.com/sluice-dev/sluice/service/alerts"
	lakesvc "github.com/sluice-dev/sluice/service/lake"
)

// Options configure the router.
type Options struct {
	Logger *slog.Logger
	// Registry receives the HTTP metrics and is served at /metrics.
	Registry *prometheus.Registry
	// Ready reports whether sluice's dependencies are reachable, for /readyz.
	Ready func(ctx context.Context) error
	// MaxInFlight bounds the requests served at once by each of two route
	// groups, each on its own: integrations, queries, syncs, connections and
	// tokens; and pipeline observability. Past it a group answers 503 with
	// Retry-After at once. Zero means DefaultMaxInFlight.
	MaxInFlight int
	// Lake browses the teams' lakes (/v1/api/lake/…); nil answers those
	// routes 503 not_configured.
	Lake *lakesvc.Service
	// Alerts serves alert channels and rules (/v1/api/alerts/…); nil
	// answers those routes 503 not_configured.
	Alerts *alertsvc.Service
}

// Server holds what the handlers need.
type Server struct {
	svc  *service.Service
	opts Options
}

func init() { gin.SetMode(gin.ReleaseMode) }

// NewRouter builds the router with every route of every facade.
func NewRouter(svc *service.Service, opts Options) *gin.Engine {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.MaxInFlight <= 0 {
		opts.MaxInFlight = DefaultMaxInFlight
	}
	s := &Server{svc: svc, opts: opts}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(withRequestID(opts.Logger), recoverJSON(), accessLog(), newHTTPMetrics(opts.Registry).middleware())
	r.NoRoute(func(c *gin.Context) { fail(c, notFound) })
	r.NoMethod(func(c *gin.Context) {
		fail(c, &requestError{status: http.StatusMethodNotAllowed, code: "method_not_allowed", msg: c.Request.Method + " is not allowed here"})
	})

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	registerCDCLag(opts.Registry, svc)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{})))
	s.registerDocs(r)
	s.registerConsole(r)

	// Load is shed before authentication, which costs a database round trip.
	authed := r.Group("/", newLoadShedder(opts.MaxInFlight, busy).admit, s.requireTeam)
	authed.POST("/api/tokens", s.createToken)
	authed.GET("/api/tokens", s.listTokens)
	authed.DELETE("/api/tokens/:id", s.revokeToken)
	s.registerDefinite(authed)
	s.registerLake(authed)
	s.registerAlerts(authed)
	s.registerLytics(authed)
	s.registerObservability(r) // authenticates after shedding load; see observability.go
	return r
}

// requireTeam authenticates the bearer token and scopes the request to its team.
func (s *Server) requireTeam(c *gin.Context) {
	token, ok := bearerToken(c)
	if !ok {
		fail(c, &requestError{status: http.StatusUnauthorized, code: "unauthenticated",
			msg: "send an API token as 'Authorization: Bearer <token>'"})
		return
	}
	team, err := s.svc.Authenticate(c, token)
	if err != nil {
		fail(c, err)
		return
	}
	c.Set(ctxTeamID, team)
	c.Next()
}
