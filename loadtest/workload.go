package loadtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The routes of the mixed workload, as the tables name them.
const (
	RouteListIntegrations = "GET /v1/api/integrations"
	RouteGetIntegration   = "GET /v1/api/integrations/:id"
	RouteQueryPostgres    = "POST /v1/query (postgres)"
	RouteQueryLake        = "POST /v1/query (lake)"
	RouteLogTask          = "POST /log/task"
	RouteLogMetrics       = "POST /log/metrics"
	RouteLineage          = "GET /api/lineage"
)

// Workload is the mixed request mix, drawn by weight.
type Workload struct {
	client *Client
	fx     Fixtures
	ops    []weightedOp
	total  int
	routes []string
}

type weightedOp struct {
	weight int
	// routes are the routes the op sends to.
	routes []string
	do     func(ctx context.Context, w *Worker) (string, Result)
}

// NewWorkload builds the mix over the fixtures. Ingestion (a task start, its
// metrics and its end, one request a turn) weighs as much as two read routes,
// as pipelines report about as often as people read. With only set, the mix
// keeps just the ops with a route containing one of its strings (to find
// which route a problem comes from).
func NewWorkload(c *Client, fx Fixtures, only []string) *Workload {
	wl := &Workload{client: c, fx: fx}
	lineage := "/api/lineage?" + url.Values{"dataset": {fx.LineageDataset}, "direction": {"upstream"}, "depth": {"3"}}.Encode()
	pgSQL := fmt.Sprintf("SELECT id, name, amount FROM %s WHERE id BETWEEN 100 AND 119 ORDER BY id", fx.SourceTable)
	lakeSQL := fmt.Sprintf("SELECT count(*) AS n, sum(amount) AS total, max(name) AS top FROM %s", fx.LakeTable)
	all := []weightedOp{
		{2, []string{RouteListIntegrations}, func(ctx context.Context, _ *Worker) (string, Result) {
			return RouteListIntegrations, c.Do(ctx, http.MethodGet, "/v1/api/integrations", nil)
		}},
		{2, []string{RouteGetIntegration}, func(ctx context.Context, _ *Worker) (string, Result) {
			return RouteGetIntegration, c.Do(ctx, http.MethodGet, "/v1/api/integrations/"+fx.IntegrationID, nil)
		}},
		{2, []string{RouteQueryPostgres}, func(ctx context.Context, _ *Worker) (string, Result) {
			return RouteQueryPostgres, c.Do(ctx, http.MethodPost, "/v1/query", map[string]any{"sql": pgSQL, "integration_id": fx.IntegrationID})
		}},
		{2, []string{RouteQueryLake}, func(ctx context.Context, _ *Worker) (string, Result) {
			return RouteQueryLake, c.Do(ctx, http.MethodPost, "/v1/query", map[string]any{"sql": lakeSQL})
		}},
		{2, []string{RouteLineage}, func(ctx context.Context, _ *Worker) (string, Result) {
			return RouteLineage, c.Do(ctx, http.MethodGet, lineage, nil)
		}},
		{4, []string{RouteLogTask, RouteLogMetrics}, func(ctx context.Context, w *Worker) (string, Result) { return w.ingest(ctx, c) }},
	}
	for _, op := range all {
		if matchesAny(op.routes, only) {
			wl.ops = append(wl.ops, op)
			wl.total += op.weight
			wl.routes = append(wl.routes, op.routes...)
		}
	}
	return wl
}

// Routes lists the routes of the mix.
func (wl *Workload) Routes() []string { return wl.routes }

// matchesAny reports whether a route contains one of the strings; no
// strings match every route.
func matchesAny(routes, only []string) bool {
	if len(only) == 0 {
		return true
	}
	for _, r := range routes {
		for _, o := range only {
			if strings.Contains(r, o) {
				return true
			}
		}
	}
	return false
}

// Worker is one client's state: the task run it is reporting.
type Worker struct {
	wl   *Workload
	rng  *rand.Rand
	name string
	seq  int
	// step is the ingestion step next: 0 start, 1 metrics, 2 end.
	step int
	// open says a start of the current task run was sent and no end was
	// accepted yet.
	open bool
}

// NewWorker returns a client of the workload; id names its task runs, so
// give each worker of a run its own.
func (wl *Workload) NewWorker(id string) *Worker {
	return &Worker{wl: wl, rng: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())), name: id}
}

// Step sends one request of the mix and returns its route and result.
func (w *Worker) Step(ctx context.Context) (string, Result) {
	n := w.rng.IntN(w.wl.total)
	for _, op := range w.wl.ops {
		if n < op.weight {
			return op.do(ctx, w)
		}
		n -= op.weight
	}
	panic("loadtest: weights do not add up")
}

// ingest reports the worker's current task run one step further. A step
// the server refused is tried again on the worker's next turn.
func (w *Worker) ingest(ctx context.Context, c *Client) (string, Result) {
	taskID := fmt.Sprintf("%s-%d", w.name, w.seq)
	var route string
	var res Result
	switch w.step {
	case 0:
		route, w.open = RouteLogTask, true
		res = c.Do(ctx, http.MethodPost, "/log/task", map[string]any{"task_id": taskID, "status": "start",
			"app_name": "load", "task_name": "ingest", "task_type": "python", "env": "load"})
	case 1:
		route = RouteLogMetrics
		res = c.Do(ctx, http.MethodPost, "/log/metrics", map[string]any{"task_id": taskID, "metrics": []any{
			map[string]any{"asset_name": fmt.Sprintf("load_asset_%d", w.rng.IntN(8)), "asset_type": "table",
				"metric_type": "cnt", "value": 1000 + w.rng.IntN(50)},
		}})
	default:
		route = RouteLogTask
		res = c.Do(ctx, http.MethodPost, "/log/task", map[string]any{"task_id": taskID, "status": "end"})
	}
	if res.Err == nil && res.Status < 400 {
		w.step++
		if w.step == 3 {
			w.step, w.seq, w.open = 0, w.seq+1, false
		}
	}
	return route, res
}

// finishAttempts bounds how often Finish retries a refused end.
const finishAttempts = 10

// Finish ends the worker's open task run, if any, so a phase leaves no
// task-run workflow waiting for its end. It is not part of the measurement.
func (w *Worker) Finish(c *Client) {
	if !w.open {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for range finishAttempts {
		res := c.Do(ctx, http.MethodPost, "/log/task", map[string]any{"task_id": fmt.Sprintf("%s-%d", w.name, w.seq), "status": "end"})
		if res.Err == nil && res.Status != http.StatusTooManyRequests && res.Status < 500 {
			w.open = false
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
}
