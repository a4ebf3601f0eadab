package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// publicRoutes are served without a token; the spec must say so with
// `security: []`, and they need not document a 401.
var publicRoutes = map[string]bool{
	"GET /healthz":                true,
	"GET /readyz":                 true,
	"GET /metrics":                true,
	"GET /api/docs":               true,
	"GET /api/openapi.yaml":       true,
	"GET /api/docs/assets/{file}": true,
	"GET /":                       true,
	"GET /assets/{file}":          true,
}

// httpMethods are the keys of an OpenAPI path item that are operations.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// ginParam matches a gin path parameter (:id) or catch-all (*file).
var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// openAPIPath turns a gin route path into its OpenAPI form: /a/:id → /a/{id}.
func openAPIPath(ginPath string) string {
	return ginParam.ReplaceAllString(ginPath, "{$1}")
}

type specDoc = map[string]any

func loadSpec(t *testing.T) specDoc {
	t.Helper()
	var doc specDoc
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		t.Fatalf("openapi.yaml does not parse: %v", err)
	}
	if v, _ := doc["openapi"].(string); v != "3.1.0" {
		t.Fatalf("openapi.yaml: openapi = %q, want 3.1.0", v)
	}
	return doc
}

// specOperations returns every operation in the spec keyed by "METHOD /path",
// along with the path-level parameters of its path item.
func specOperations(t *testing.T, doc specDoc) (map[string]map[string]any, map[string][]any) {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatal("openapi.yaml has no paths")
	}
	ops := map[string]map[string]any{}
	pathParams := map[string][]any{}
	for path, item := range paths {
		itemMap, ok := item.(map[string]any)
		if !ok {
			t.Errorf("path %s: not an object", path)
			continue
		}
		params, _ := itemMap["parameters"].([]any)
		for _, m := range httpMethods {
			op, ok := itemMap[m]
			if !ok {
				continue
			}
			opMap, ok := op.(map[string]any)
			if !ok {
				t.Errorf("%s %s: operation is not an object", strings.ToUpper(m), path)
				continue
			}
			key := strings.ToUpper(m) + " " + path
			ops[key] = opMap
			pathParams[key] = params
		}
	}
	return ops, pathParams
}

// resolve follows a local $ref ("#/a/b") through doc.
func resolve(doc specDoc, ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			next, ok := c[part]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// deref returns v, or what its $ref points at.
func deref(doc specDoc, v any) any {
	if m, ok := v.(map[string]any); ok {
		if ref, ok := m["$ref"].(string); ok {
			if target, ok := resolve(doc, ref); ok {
				return target
			}
		}
	}
	return v
}

// TestOpenAPICoversRouter fails if the router serves a route the spec does not
// document, or the spec documents a route the router does not serve.
func TestOpenAPICoversRouter(t *testing.T) {
	router := NewRouter(nil, Options{})
	doc := loadSpec(t)
	ops, _ := specOperations(t, doc)

	served := map[string]bool{}
	for _, r := range router.Routes() {
		served[r.Method+" "+openAPIPath(r.Path)] = true
	}
	if len(served) == 0 {
		t.Fatal("the router serves no routes")
	}

	var undocumented, missing []string
	for route := range served {
		if _, ok := ops[route]; !ok {
			undocumented = append(undocumented, route)
		}
	}
	for route := range ops {
		if !served[route] {
			missing = append(missing, route)
		}
	}
	slices.Sort(undocumented)
	slices.Sort(missing)
	for _, r := range undocumented {
		t.Errorf("route %s is served but not documented in openapi.yaml", r)
	}
	for _, r := range missing {
		t.Errorf("route %s is documented in openapi.yaml but not served", r)
	}
	for r := range publicRoutes {
		if !served[r] {
			t.Errorf("public route %s is not served (update publicRoutes in this test)", r)
		}
	}
}

// TestOpenAPIOperations checks what every operation must say: an id, a 2xx,
// its security, a 401 where a token is needed, and its path parameters.
func TestOpenAPIOperations(t *testing.T) {
	doc := loadSpec(t)
	ops, pathParams := specOperations(t, doc)

	if !hasBearerGlobally(doc) {
		t.Error("openapi.yaml must apply bearerAuth globally (security: [{bearerAuth: []}])")
	}
	scheme, _ := resolve(doc, "#/components/securitySchemes/bearerAuth")
	if s, _ := scheme.(map[string]any); s["type"] != "http" || s["scheme"] != "bearer" {
		t.Errorf("components.securitySchemes.bearerAuth = %v, want an HTTP bearer scheme", scheme)
	}

	keys := make([]string, 0, len(ops))
	for k := range ops {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	opIDs := map[string]string{}
	for _, key := range keys {
		op := ops[key]
		id, _ := op["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", key)
		} else if prev, dup := opIDs[id]; dup {
			t.Errorf("%s: operationId %q is also used by %s", key, id, prev)
		} else {
			opIDs[id] = key
		}
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", key)
		}
		if tags, _ := op["tags"].([]any); len(tags) == 0 {
			t.Errorf("%s: no tags", key)
		}

		responses, _ := op["responses"].(map[string]any)
		has2xx := false
		for code := range responses {
			if strings.HasPrefix(code, "2") {
				has2xx = true
			}
		}
		if !has2xx {
			t.Errorf("%s: no 2xx response", key)
		}

		security, declared := op["security"]
		if publicRoutes[key] {
			if list, _ := security.([]any); !declared || len(list) != 0 {
				t.Errorf("%s is public: it must declare `security: []`", key)
			}
		} else {
			if declared {
				t.Errorf("%s needs a token: it must not override the global security", key)
			}
			if _, ok := responses["401"]; !ok {
				t.Errorf("%s needs a token: it must document a 401 response", key)
			}
		}

		path := key[strings.Index(key, " ")+1:]
		declaredParams := map[string]bool{}
		for _, p := range append(slices.Clone(pathParams[key]), listOf(op["parameters"])...) {
			pm, _ := deref(doc, p).(map[string]any)
			if pm["in"] == "path" {
				name, _ := pm["name"].(string)
				declaredParams[name] = true
				if pm["required"] != true {
					t.Errorf("%s: path parameter %s must be required", key, name)
				}
			}
		}
		for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(path, -1) {
			if !declaredParams[m[1]] {
				t.Errorf("%s: path parameter {%s} is not declared", key, m[1])
			}
		}
	}
}

// TestOpenAPIRefsResolve fails on a $ref that points nowhere.
func TestOpenAPIRefsResolve(t *testing.T) {
	doc := loadSpec(t)
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch n := v.(type) {
		case map[string]any:
			if ref, ok := n["$ref"].(string); ok {
				if _, ok := resolve(doc, ref); !ok {
					t.Errorf("%s: $ref %q does not resolve", where, ref)
				}
			}
			for k, child := range n {
				walk(where+"/"+k, child)
			}
		case []any:
			for i, child := range n {
				walk(where+"/"+strconv.Itoa(i), child)
			}
		}
	}
	walk("#", doc)
}

func hasBearerGlobally(doc specDoc) bool {
	for _, req := range listOf(doc["security"]) {
		if m, ok := req.(map[string]any); ok {
			if _, ok := m["bearerAuth"]; ok {
				return true
			}
		}
	}
	return false
}

func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}

// publicGetter GETs paths of a router without a service, as a caller
// without a token would.
func publicGetter(t *testing.T) func(path string) *httptest.ResponseRecorder {
	router := NewRouter(nil, Options{})
	return func(path string) *httptest.ResponseRecorder {
		t.Helper()
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
}

// TestDocsRoutes serves the document, the docs page and the assets the page
// uses, all without a token or a service.
func TestDocsRoutes(t *testing.T) {
	get := publicGetter(t)

	rec := get("/api/openapi.yaml")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/openapi.yaml = %d, want 200", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
		t.Errorf("GET /api/openapi.yaml Content-Type = %q, want application/yaml", ct)
	}
	if body := rec.Body.Bytes(); string(body) != string(openapiYAML) {
		t.Errorf("GET /api/openapi.yaml did not answer the embedded document (%d bytes, want %d)", len(body), len(openapiYAML))
	}

	rec = get("/api/docs")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/docs = %d, want 200", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("GET /api/docs Content-Type = %q, want text/html", ct)
	}
	page := rec.Body.String()
	for _, want := range []string{"/api/openapi.yaml", "/api/docs/assets/swagger-ui.css", "/api/docs/assets/swagger-ui-bundle.js"} {
		if !strings.Contains(page, want) {
			t.Errorf("GET /api/docs page does not reference %s", want)
		}
	}

	// Every asset the page references is served, with its content type.
	assets := regexp.MustCompile(`(?:href|src)="(/api/docs/assets/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(assets) == 0 {
		t.Fatal("GET /api/docs page references no vendored asset")
	}
	wantType := map[string]string{".css": "text/css", ".js": "text/javascript"}
	for _, m := range assets {
		asset := m[1]
		rec := get(asset)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", asset, rec.Code)
			continue
		}
		body, _ := io.ReadAll(rec.Body)
		if len(body) == 0 {
			t.Errorf("GET %s answered an empty body", asset)
		}
		for ext, typ := range wantType {
			if strings.HasSuffix(asset, ext) && !strings.HasPrefix(rec.Header().Get("Content-Type"), typ) {
				t.Errorf("GET %s Content-Type = %q, want %s", asset, rec.Header().Get("Content-Type"), typ)
			}
		}
	}

	if rec := get("/api/docs/assets/swagger-ui.css"); rec.Code != http.StatusOK {
		t.Errorf("GET /api/docs/assets/swagger-ui.css = %d, want 200", rec.Code)
	}
}
