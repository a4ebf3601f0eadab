package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/service"
)

// The cases every route is sent. Each request must answer what openapi.yaml
// documents for the route, never a 5xx, and no answer to another team may
// hold the first team's ids or names.
const (
	caseNoToken     = "no token"                    // 401
	caseOtherID     = "another team's id"           // exactly what a nonexistent id answers; 404 in a path
	caseOtherRef    = "another team's id in body"   // the caller's path, the other team's ids in query or body
	caseOtherToken  = "another team's token"        // the caller's own valid request: 2xx, none of the first team's data
	caseMalformed   = "malformed JSON"              // 400
	caseWrongTypes  = "wrong types"                 // 400 or 422
	caseOversized   = "oversized body"              // 413
	caseUnknownKeys = "unknown fields where strict" // 400 or 422
)

var matrixCases = []string{caseNoToken, caseOtherID, caseOtherRef, caseOtherToken, caseMalformed, caseWrongTypes, caseOversized, caseUnknownKeys}

// maxBody is the general request body limit (api.maxBodyBytes).
const maxBody = 1 << 20

// TestRouterMatrix sends every route of the router every case above, with
// two teams that each own one of every resource: acmeonly is the team whose
// data must not leak, globexonly the caller.
func TestRouterMatrix(t *testing.T) {
	start := time.Now()
	env := testenv.NewWith(t, func(o *service.Options) {
		// Hundreds of requests in a few seconds; the per-team limits are not under test here.
		o.ScanRate = service.Rate{Limit: 1 << 20, Window: time.Minute}
		o.DiscoveryRate = service.Rate{Limit: 1 << 20, Window: time.Minute}
	})
	ops := matrixOperations(t)
	victim, caller := newMatrixTeam(t, env, "acmeonly"), newMatrixTeam(t, env, "globexonly")
	victim.waitReady(t, env)
	caller.waitReady(t, env)
	m := &matrix{env: env, victim: victim, caller: caller, ghost: ghostResources(), ran: map[string]int{}, skipped: map[string][]string{}}
	setup := time.Since(start)

	routes := matrixRoutes(t, env.Router.(*gin.Engine), ops)
	for _, rt := range routes {
		t.Run(rt.key, func(t *testing.T) { m.route(t, rt) })
	}
	m.assertVictimIntact(t)

	var ran []string
	for _, c := range matrixCases {
		ran = append(ran, fmt.Sprintf("%s %d", c, m.ran[c]))
	}
	skipped, why := m.skips()
	t.Logf("%d routes × %d cases: %d route-cases run (%s), %d not applicable; %d requests; setup %s, total %s",
		len(routes), len(matrixCases), m.total(), strings.Join(ran, ", "), skipped, m.requests,
		setup.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	for _, line := range why {
		t.Log("not applicable, " + line)
	}
}

// matrixOp is what openapi.yaml says of one operation.
type matrixOp struct {
	public    bool
	body      bool
	responses map[string]bool
}

// matrixOperations reads the operations of openapi.yaml by "METHOD /path".
func matrixOperations(t *testing.T) map[string]matrixOp {
	t.Helper()
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	ops := map[string]matrixOp{}
	for path, item := range doc.Paths {
		for method, node := range item {
			var op struct {
				Security    *[]any         `yaml:"security"`
				RequestBody any            `yaml:"requestBody"`
				Responses   map[string]any `yaml:"responses"`
			}
			if method == "parameters" || node.Decode(&op) != nil {
				continue
			}
			o := matrixOp{public: op.Security != nil && len(*op.Security) == 0, body: op.RequestBody != nil, responses: map[string]bool{}}
			for code := range op.Responses {
				o.responses[code] = true
			}
			ops[strings.ToUpper(method)+" "+path] = o
		}
	}
	return ops
}

// matrixRoute is one route of the router with what is known of it.
type matrixRoute struct {
	method, path string // as gin has it: /a/:id
	key          string // as openapi.yaml has it: GET /a/{id}
	op           matrixOp
	spec         routeSpec
}

var matrixParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// matrixRoutes lists the router's routes, deletes last so the resources
// the other routes use still exist.
func matrixRoutes(t *testing.T, router *gin.Engine, ops map[string]matrixOp) []matrixRoute {
	t.Helper()
	var routes []matrixRoute
	for _, r := range router.Routes() {
		key := r.Method + " " + matrixParam.ReplaceAllString(r.Path, "{$1}")
		op, ok := ops[key]
		if !ok {
			t.Fatalf("%s is not in openapi.yaml (TestOpenAPICoversRouter says more)", key)
		}
		rt := matrixRoute{method: r.Method, path: r.Path, key: key, op: op, spec: routeSpecs[key]}
		for _, p := range matrixParam.FindAllStringSubmatch(r.Path, -1) {
			if rt.paramField(p[1]) == "" {
				t.Fatalf("%s: no resource fills path parameter %s; add it to defaultParamFields or the route's routeSpec", key, p[1])
			}
		}
		if op.body && rt.spec.body == nil {
			t.Fatalf("%s takes a request body; give it a valid one in routeSpecs", key)
		}
		routes = append(routes, rt)
	}
	for key := range routeSpecs {
		if !slices.ContainsFunc(routes, func(r matrixRoute) bool { return r.key == key }) {
			t.Errorf("routeSpecs has %s, which the router does not serve", key)
		}
	}
	sort.Slice(routes, func(i, j int) bool {
		a, b := routes[i], routes[j]
		if (a.method == http.MethodDelete) != (b.method == http.MethodDelete) {
			return b.method == http.MethodDelete
		}
		return a.key < b.key
	})
	return routes
}

func (rt matrixRoute) paramField(param string) string {
	if f, ok := rt.spec.params[param]; ok {
		return f
	}
	return defaultParamFields[param]
}

// namesTeamPath says a path parameter names something a team owns.
func (rt matrixRoute) namesTeamPath() bool {
	for _, p := range matrixParam.FindAllStringSubmatch(rt.path, -1) {
		if teamScopedFields[rt.paramField(p[1])] {
			return true
		}
	}
	return false
}

type matrix struct {
	env                   *testenv.Env
	victim, caller, ghost *teamResources
	ran                   map[string]int
	skipped               map[string][]string // reason → route × case
	requests              int
}

func (m *matrix) total() int {
	n := 0
	for _, c := range m.ran {
		n += c
	}
	return n
}

// matrixRequest is one request of the matrix.
type matrixRequest struct {
	method, path, token, contentType string
	body                             []byte
}

// request builds the route's request: the path from pathRes, the query and
// body from refRes where the route's refs say so (else the caller's own).
func (m *matrix) request(t *testing.T, rt matrixRoute, pathRes, refRes *teamResources, token string, probe bool) matrixRequest {
	t.Helper()
	path := matrixParam.ReplaceAllStringFunc(rt.path, func(p string) string {
		return url.PathEscape(pathRes.field(rt.paramField(p[1:])))
	})
	bodyRes := m.caller
	if rt.spec.refs {
		bodyRes = refRes
	}
	if rt.spec.query != nil {
		path += "?" + rt.spec.query(bodyRes).Encode()
	}
	req := matrixRequest{method: rt.method, path: path, token: token}
	build := rt.spec.body
	if probe && rt.spec.probe != nil {
		build = rt.spec.probe
	}
	if build != nil {
		req.body = encodeBody(t, build(bodyRes))
		req.contentType = "application/json"
		if rt.spec.yaml {
			req.contentType = "application/yaml"
		}
	}
	return req
}

func encodeBody(t *testing.T, v any) []byte {
	t.Helper()
	if s, ok := v.(string); ok {
		return []byte(s)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// matrixSend sends one request to the router.
func matrixSend(env *testenv.Env, method, path, token, contentType string, body []byte) testenv.Response {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	env.Router.ServeHTTP(rec, req)
	return testenv.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// answer sends req and checks what every answer must be: documented, not a
// 5xx (unless allowed), an error body on a 4xx, and none of the victim's data.
func (m *matrix) answer(t *testing.T, rt matrixRoute, req matrixRequest, allowed int) (testenv.Response, errorFields) {
	t.Helper()
	res := matrixSend(m.env, req.method, req.path, req.token, req.contentType, req.body)
	m.requests++
	var e errorFields
	switch {
	case res.Status >= 500 && res.Status != allowed:
		t.Errorf("%s %s answered %d: %.400s", req.method, req.path, res.Status, res.Body)
	case !rt.op.responses[strconv.Itoa(res.Status)] && !rt.op.responses["default"]:
		t.Errorf("%s %s answered %d, which openapi.yaml does not document for %s: %.300s", req.method, req.path, res.Status, rt.key, res.Body)
	}
	if res.Status >= 400 {
		var parsed struct{ Error errorFields }
		if err := json.Unmarshal(res.Body, &parsed); err != nil || parsed.Error.Code == "" {
			t.Errorf("%s %s answered %d without an error object: %.300s", req.method, req.path, res.Status, res.Body)
		}
		e = parsed.Error
	}
	if req.token != m.victim.Token {
		seen := slices.Concat(res.Body, []byte(fmt.Sprint(res.Header)))
		if leaked := m.leaks(req, seen); len(leaked) > 0 {
			t.Errorf("%s %s (%d) shows the other team's %v: %.500s", req.method, req.path, res.Status, leaked, res.Body)
		}
	}
	return res, e
}

type errorFields struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// leaks lists the victim's markers in an answer that the request did not send.
func (m *matrix) leaks(req matrixRequest, answer []byte) []string {
	got := strings.ToLower(string(answer))
	sent := strings.ToLower(req.path + "\n" + string(req.body))
	var out []string
	for _, mk := range m.victim.markers() {
		if mk = strings.ToLower(mk); mk != "" && strings.Contains(got, mk) && !strings.Contains(sent, mk) {
			out = append(out, mk)
		}
	}
	if w := m.victim.word; len(out) == 0 && strings.Contains(got, w) && !strings.Contains(sent, w) {
		out = append(out, "a name holding "+w)
	}
	return out
}

func (m *matrix) skip(c string, rt matrixRoute, why string) {
	m.skipped[why] = append(m.skipped[why], rt.key+" × "+c)
}

// skips are the cases not run, by reason.
func (m *matrix) skips() (n int, lines []string) {
	for why, list := range m.skipped {
		n += len(list)
		if len(list) > 3 {
			lines = append(lines, fmt.Sprintf("%s: %d route-cases", why, len(list)))
		} else {
			lines = append(lines, why+": "+strings.Join(list, "; "))
		}
	}
	slices.Sort(lines)
	return n, lines
}

// route runs every case on one route.
func (m *matrix) route(t *testing.T, rt matrixRoute) {
	if rt.op.public {
		for _, c := range matrixCases {
			if c != caseOtherToken {
				m.skip(c, rt, "public route: no token, no team resource, no body")
			}
		}
		m.run(t, caseOtherToken, func(t *testing.T) {
			for _, token := range []string{"", m.caller.Token} {
				if res, _ := m.answer(t, rt, m.request(t, rt, m.caller, m.caller, token, false), 0); res.Status/100 != 2 {
					t.Errorf("public route answered %d", res.Status)
				}
			}
		})
		return
	}
	m.run(t, caseNoToken, func(t *testing.T) {
		if res, e := m.answer(t, rt, m.request(t, rt, m.victim, m.victim, "", false), 0); res.Status != http.StatusUnauthorized || e.Code != "unauthenticated" {
			t.Errorf("answered %d %s, want 401 unauthenticated", res.Status, e.Code)
		}
	})
	if rt.namesTeamPath() || rt.spec.refs {
		m.run(t, caseOtherID, func(t *testing.T) {
			m.sameAsNothing(t, rt, m.victim, m.ghost, m.victim, m.ghost, rt.namesTeamPath() && rt.spec.anyName == "")
			m.oddNames(t, rt)
		})
	} else {
		m.skip(caseOtherID, rt, "names no team resource in its path, query or body")
	}
	if rt.namesTeamPath() && rt.spec.refs {
		m.run(t, caseOtherRef, func(t *testing.T) {
			m.sameAsNothing(t, rt, m.caller, m.caller, m.victim, m.ghost, false)
		})
	} else {
		m.skip(caseOtherRef, rt, "names team resources in its path or its body, not both")
	}
	m.badBodies(t, rt)
	m.run(t, caseOtherToken, func(t *testing.T) { m.own(t, rt) })
}

func (m *matrix) run(t *testing.T, c string, fn func(t *testing.T)) {
	m.ran[c]++
	t.Run(c, fn)
}

// sameAsNothing asks as the caller for the victim's resources and for
// resources that do not exist; the answers must not tell them apart.
func (m *matrix) sameAsNothing(t *testing.T, rt matrixRoute, pathVictim, pathGhost, refVictim, refGhost *teamResources, want404 bool) {
	t.Helper()
	got, gotErr := m.answer(t, rt, m.request(t, rt, pathVictim, refVictim, m.caller.Token, true), 0)
	none, noneErr := m.answer(t, rt, m.request(t, rt, pathGhost, refGhost, m.caller.Token, true), 0)
	if got.Status != none.Status || gotErr.Code != noneErr.Code {
		t.Errorf("the other team's resource answers %d %s, a nonexistent one %d %s: %.300s / %.300s",
			got.Status, gotErr.Code, none.Status, noneErr.Code, got.Body, none.Body)
	}
	if a, b := withoutNames(gotErr.Message, refVictim, pathVictim), withoutNames(noneErr.Message, refGhost, pathGhost); a != b {
		t.Errorf("the messages tell them apart: %q / %q", a, b)
	}
	if want404 && got.Status != http.StatusNotFound {
		t.Errorf("the other team's resource answers %d, want 404", got.Status)
	}
}

// oddNames asks for names nothing can have, alone and beside the caller's
// own ids: each must answer a 4xx (or, to a read, an empty 200), never a 5xx.
func (m *matrix) oddNames(t *testing.T, rt matrixRoute) {
	t.Helper()
	own := m.request(t, rt, m.caller, m.caller, m.caller.Token, true)
	for _, odd := range oddResources() {
		mixed := *m.caller
		mixed.Table, mixed.App, mixed.Task, mixed.Dataset, mixed.Asset, mixed.DestSchema = odd.Table, odd.App, odd.Task, odd.Dataset, odd.Asset, odd.DestSchema
		for _, set := range []*teamResources{odd, &mixed} {
			req := m.request(t, rt, set, set, m.caller.Token, true)
			if req.path == own.path && bytes.Equal(req.body, own.body) {
				continue
			}
			if res, e := m.answer(t, rt, req, 0); res.Status/100 != 4 && rt.method != http.MethodGet {
				t.Errorf("%.200s %.200q answered %d %s, want a 4xx: %.300s", req.path, req.body, res.Status, e.Code, res.Body)
			}
		}
	}
}

// withoutNames replaces the resource names in msg with their field names.
func withoutNames(msg string, sets ...*teamResources) string {
	for _, r := range sets {
		vals := r.values()
		fields := make([]string, 0, len(vals))
		for f := range vals {
			fields = append(fields, f)
		}
		sort.Slice(fields, func(i, j int) bool { return len(vals[fields[i]]) > len(vals[fields[j]]) })
		for _, f := range fields {
			if v := vals[f]; v != "" {
				msg = strings.ReplaceAll(msg, v, "{"+f+"}")
			}
		}
	}
	return msg
}

// own sends the caller's own valid request: a 2xx (or the route's
// documented exception), holding nothing of the victim's.
func (m *matrix) own(t *testing.T, rt matrixRoute) {
	want := rt.spec.own
	allowed := 0
	if want != nil {
		allowed = want.status
	}
	res, e := m.answer(t, rt, m.request(t, rt, m.caller, m.caller, m.caller.Token, false), allowed)
	switch {
	case want != nil && (res.Status != want.status || e.Code != want.code):
		t.Errorf("answered %d %s, want %d %s (%s): %.300s", res.Status, e.Code, want.status, want.code, want.why, res.Body)
	case want == nil && res.Status/100 != 2:
		t.Errorf("the caller's own valid request answered %d: %.300s", res.Status, res.Body)
	}
	if rt.spec.capture && res.Status == http.StatusCreated {
		var created struct {
			Integration struct{ ID string } `json:"integration"`
			Data        struct{ ID string } `json:"data"`
		}
		_ = json.Unmarshal(res.Body, &created)
		m.caller.spares = append(m.caller.spares, created.Integration.ID+created.Data.ID)
	}
}

// assertVictimIntact checks nothing the caller sent changed the victim's resources.
func (m *matrix) assertVictimIntact(t *testing.T) {
	v, env := m.victim, m.env
	it := obsGet(t, env, v.Token, "/v1/api/integrations/"+v.Integration)["integration"].(map[string]any)
	if it["name"] != v.Name {
		t.Errorf("the victim's integration is now named %v", it["name"])
	}
	if n := len(obsList(obsGet(t, env, v.Token, "/v1/api/integrations")["integrations"])); n != 2 {
		t.Errorf("the victim has %d integrations, want 2", n)
	}
	cfg := obsGet(t, env, v.Token, "/v1/api/integrations/"+v.Integration+"/sync")["sync_config"].(map[string]any)
	if cfg["id"] != v.SyncConfig || cfg["paused"] != false || cfg["dest_schema"] != v.DestSchema {
		t.Errorf("the victim's sync config changed: %v", cfg)
	}
	if runs := obsList(obsGet(t, env, v.Token, "/v1/api/integrations/"+v.Integration+"/syncs")["data"]); len(runs) != 1 {
		t.Errorf("the victim's integration has %d sync runs, want 1", len(runs))
	}
	if task := obsGet(t, env, v.Token, taskPath(v.Task))["task"].(map[string]any); task["status"] != "running" {
		t.Errorf("the victim's task is %v, want running", task["status"])
	}
	obsGet(t, env, v.Token, "/v1/api/integrations/"+v.Integration+"/models")
	for _, p := range obsList(obsGet(t, env, v.Token, "/api/pipelines")["pipelines"]) {
		if p := p.(map[string]any); p["app_name"] == v.App && p["task_timeout_seconds"] != 7200.0 {
			t.Errorf("the victim's app timeout is %v, want 7200", p["task_timeout_seconds"])
		}
	}
}
