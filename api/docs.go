package api

import (
	"embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

//go:embed openapi.yaml
var openapiYAML []byte

// The Swagger UI assets are vendored (swagger-ui-dist, Apache-2.0, see
// docs/swagger-ui-LICENSE) so /api/docs works without internet access.
//
//go:embed docs
var docsFS embed.FS

const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sluice API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script>window.onload = () => { SwaggerUIBundle({ url: "/api/openapi.yaml", dom_id: "#ui" }); };</script>
</body></html>`

func (s *Server) registerDocs(r *gin.Engine) {
	r.GET("/api/openapi.yaml", func(c *gin.Context) {
		c.Data(http.StatusOK, "application/yaml", openapiYAML)
	})
	r.GET("/api/docs", func(c *gin.Context) {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(docsPage))
	})
	r.GET("/api/docs/assets/:file", func(c *gin.Context) {
		c.FileFromFS("docs/"+c.Param("file"), http.FS(docsFS))
	})
}
