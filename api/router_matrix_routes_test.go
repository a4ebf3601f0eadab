package api_test

import (
	"net/url"
	"time"

	"github.com/google/uuid"
)

// routeSpec is what the matrix must know about a route beyond what the
// router and openapi.yaml say. A route needs an entry only if it takes a
// body, names a resource other than by its default path parameter, or does
// not answer 2xx to its caller's own valid request.
type routeSpec struct {
	// params maps a path parameter to the resource field it names, where
	// not the default (defaultParamFields).
	params map[string]string
	// query and body build a valid request from the resources of a team;
	// body answers a string (sent as is) or a JSON value.
	query func(r *teamResources) url.Values
	body  func(r *teamResources) any
	// probe is the body sent when naming another team's (or no team's)
	// resources, where body would create them under the caller's name.
	probe func(r *teamResources) any
	// refs says query and body name the team's resources (otherwise they are
	// always built from the caller's own).
	refs bool
	// yaml: the body is YAML, not JSON.
	yaml bool
	// lenient is why unknown fields are accepted, if they are.
	lenient string
	// limit is the route's body limit when above the general 1 MiB.
	limit int
	// anyName is why a path parameter names no existing resource, so that
	// another team's name answers like any new name rather than 404.
	anyName string
	// own is the answer to the caller's own valid request when it is not a 2xx.
	own *ownAnswer
	// capture keeps the integration a 201 creates, for the deletes.
	capture bool
}

// ownAnswer is a non-2xx answer a valid request must give, and why.
type ownAnswer struct {
	status int
	code   string
	why    string
}

// defaultParamFields is the resource each path parameter names unless a
// route says otherwise.
var defaultParamFields = map[string]string{"id": "integration", "table": "table", "app_name": "app",
	"task_id": "task", "name": "dataset", "file": "docfile"}

func jsonBody(m map[string]any) func(*teamResources) any {
	return func(*teamResources) any { return m }
}

// routeSpecs, by the route's openapi.yaml key.
var routeSpecs = map[string]routeSpec{
	"POST /api/tokens":                            {body: jsonBody(map[string]any{"name": "matrix"})},
	"DELETE /api/tokens/{id}":                     {params: map[string]string{"id": "token"}},
	"GET /assets/{file}":                          {params: map[string]string{"file": "consoleasset"}},
	"POST /v1/api/alerts/channels":                {body: func(r *teamResources) any { return r.channel() }},
	"GET /v1/api/alerts/channels/{id}":            {params: map[string]string{"id": "channel"}},
	"PATCH /v1/api/alerts/channels/{id}":          {params: map[string]string{"id": "channel"}, body: jsonBody(map[string]any{"enabled": true})},
	"DELETE /v1/api/alerts/channels/{id}":         {params: map[string]string{"id": "sparechannel"}},
	"POST /v1/api/alerts/channels/{id}/test":      {params: map[string]string{"id": "channel"}},
	"GET /v1/api/alerts/channels/{id}/deliveries": {params: map[string]string{"id": "channel"}},
	"POST /v1/api/alerts/rules": {refs: true, body: func(r *teamResources) any { return r.rule() },
		probe: func(r *teamResources) any {
			return map[string]any{"name": "probe", "event": "task_run.failed", "channel_id": r.Channel}
		}},
	"GET /v1/api/alerts/rules/{id}":    {params: map[string]string{"id": "rule"}},
	"PATCH /v1/api/alerts/rules/{id}":  {params: map[string]string{"id": "rule"}, refs: true, body: func(r *teamResources) any { return map[string]any{"channel_id": r.Channel} }},
	"DELETE /v1/api/alerts/rules/{id}": {params: map[string]string{"id": "sparerule"}},
	"POST /api/v1/lineage": {body: openLineageStart, limit: 4 << 20,
		lenient: "OpenLineage events carry custom facets and fields (the spec allows additional properties)"},
	"POST /log/task": {refs: true, body: func(r *teamResources) any {
		return map[string]any{"task_id": r.Task, "status": "start", "app_name": r.App, "task_name": "load", "task_type": "python"}
	}, probe: func(r *teamResources) any {
		return map[string]any{"task_id": r.Task, "status": "end", "result": "success"}
	}},
	"POST /log/tf":      {refs: true, body: func(r *teamResources) any { return r.transformation() }},
	"POST /log/dataset": {refs: true, body: func(r *teamResources) any { return r.dataset() }},
	"POST /log/metrics": {refs: true, body: func(r *teamResources) any { return r.metrics() }},
	"PUT /api/pipelines/{app_name}/settings": {body: jsonBody(map[string]any{"task_timeout_seconds": 60}),
		anyName: "settings may be given before an app first reports, so every app name is the caller's own to set"},
	"GET /api/datasets": {refs: true, query: func(r *teamResources) url.Values { return url.Values{"prefix": {r.Dataset}} }},
	"GET /api/lineage":  {refs: true, query: func(r *teamResources) url.Values { return url.Values{"dataset": {r.Dataset}} }},
	"GET /api/metrics":  {refs: true, query: func(r *teamResources) url.Values { return url.Values{"asset_name": {r.Asset}} }},
	"GET /api/tasks":    {refs: true, query: func(r *teamResources) url.Values { return url.Values{"app_name": {r.App}} }},

	"POST /v1/api/integrations": {capture: true, body: func(r *teamResources) any {
		return map[string]any{"type": "postgres", "name": r.word + "-second", "credentials": r.credentials()}
	}},
	"POST /v2/connection": {capture: true, body: func(r *teamResources) any {
		return map[string]any{"type": "postgres", "name": r.word + "-third", "config": r.credentials()}
	}},
	"PUT /v1/api/integrations/{id}":        {body: func(r *teamResources) any { return map[string]any{"name": r.Name + "-renamed"} }},
	"PUT /v2/connection/{id}":              {body: func(r *teamResources) any { return map[string]any{"name": r.Name + "-renamed"} }},
	"DELETE /v1/api/integrations/{id}":     {params: map[string]string{"id": "spare1"}},
	"DELETE /v2/connection/{id}":           {params: map[string]string{"id": "spare2"}},
	"PUT /v1/api/integrations/{id}/models": {yaml: true, body: func(r *teamResources) any { return r.model() }},
	"POST /v1/api/integrations/{id}/sync":  {refs: true, body: func(r *teamResources) any { return r.syncConfig() }},
	"GET /v1/api/syncs/{id}":               {params: map[string]string{"id": "run"}},
	"POST /v1/api/syncs/{id}/cancel": {params: map[string]string{"id": "run"},
		own: &ownAnswer{409, "conflict", "the caller's run has finished, and only a running run can be cancelled"}},
	"POST /v1/api/syncs/{id}/replay": {params: map[string]string{"id": "run"}, body: jsonBody(map[string]any{"tables": "all"})},
	"POST /v1/query": {refs: true, body: func(r *teamResources) any {
		return map[string]any{"sql": "SELECT table_schema, table_name FROM information_schema.tables", "integration_id": r.Lake}
	}},
	"POST /v2/connection/{id}/ai/sql": {body: jsonBody(map[string]any{"question": "How many orders are there?"}),
		own: &ownAnswer{503, "not_configured", "no LLM is configured on this machine; the answer carries the schema context instead"}},
	"POST /v2/connection/{id}/scan": {body: func(r *teamResources) any {
		return map[string]any{"query": "SELECT count(*) AS n FROM " + r.Table}
	}},
	"GET /v2/connection/{id}/schema/search": {query: func(*teamResources) url.Values { return url.Values{"q": {"orders"}} }},
	"GET /v2/connectionconfig/{id}":         {params: map[string]string{"id": "connector"}},
	"GET /v1/api/lake/tables/{table}":       {params: map[string]string{"table": "lake_table"}},
}

// openLineageStart is a START event of a run of the team's own app.
func openLineageStart(r *teamResources) any {
	return map[string]any{
		"eventType": "START", "eventTime": time.Now().UTC().Format(time.RFC3339Nano),
		"run": map[string]any{"runId": uuid.NewString()}, "job": map[string]any{"namespace": r.App, "name": "ol-job"},
		"inputs":   []any{map[string]any{"namespace": r.App, "name": r.Dataset + "_ol"}},
		"producer": "https://example.com/matrix", "schemaURL": "https://openlineage.io/spec/1-0-5/OpenLineage.json#/definitions/RunEvent",
	}
}
