package api

import (
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/sluice-dev/sluice/web"
)

// consoleCSP lets the console load only its own files and talk only to this
// server: the build bundles everything it needs, so a request elsewhere is
// a bug or an injection. Styles may be inline (the chart and graph
// libraries set element styles).
const consoleCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// registerConsole serves the web console's build at / and /assets/…. The
// console routes by the URL's fragment (/#/integrations), so no API path is
// ever shadowed by a page, and a wrong API path still answers JSON 404.
func (s *Server) registerConsole(r *gin.Engine) {
	dist, err := fs.Sub(web.Dist, "dist")
	if err != nil {
		panic("web: the embedded console build has no dist directory: " + err.Error())
	}
	r.GET("/", func(c *gin.Context) { serveConsoleFile(c, dist, "index.html", "no-cache") })
	r.GET("/assets/*file", func(c *gin.Context) {
		name := path.Clean("assets/" + strings.TrimPrefix(c.Param("file"), "/"))
		if !strings.HasPrefix(name, "assets/") {
			fail(c, notFound)
			return
		}
		// Vite names each asset by its content's hash: a name never changes meaning.
		serveConsoleFile(c, dist, name, "public, max-age=31536000, immutable")
	})
}

func serveConsoleFile(c *gin.Context, dist fs.FS, name, cacheControl string) {
	body, err := fs.ReadFile(dist, name)
	if err != nil {
		fail(c, notFound)
		return
	}
	h := c.Writer.Header()
	h.Set("Cache-Control", cacheControl)
	h.Set("Content-Security-Policy", consoleCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	contentType := mime.TypeByExtension(path.Ext(name))
	if contentType == "" {
		contentType = "application/octet-stream" // served as bytes, never sniffed
	}
	c.Data(http.StatusOK, contentType, body)
}
