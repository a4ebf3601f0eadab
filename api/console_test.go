package api

import (
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/web"
)

// TestConsoleRoutes serves the console's page and its assets without a
// token, with headers that keep it to its own files, and leaves every other
// path to the API: a wrong path still answers JSON, never the page.
func TestConsoleRoutes(t *testing.T) {
	get := publicGetter(t)
	page := get("/")
	if page.Code != http.StatusOK || !strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", page.Code, page.Header().Get("Content-Type"))
	}
	if csp := page.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("GET / Content-Security-Policy = %q", csp)
	}
	assets, _ := fs.Glob(web.Dist, "dist/assets/*")
	for _, a := range assets {
		name := strings.TrimPrefix(a, "dist")
		rec := get(name)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s = %d, Cache-Control %q", name, rec.Code, rec.Header().Get("Cache-Control"))
		}
		if strings.HasSuffix(name, ".js") && !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/javascript") {
			t.Errorf("GET %s Content-Type = %q", name, rec.Header().Get("Content-Type"))
		}
	}
	for _, path := range []string{"/assets/../embed.go", "/assets/..%2f..%2fembed.go", "/assets/nope.js", "/index.php", "/integrations", "/v1/api/nope"} {
		rec := get(path)
		if rec.Code != http.StatusNotFound || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Errorf("GET %s = %d %s, want a JSON 404", path, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
}
