package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// TestLoadShedderRefusesPastItsBound holds the only slot with a request that
// blocks, and checks the next request is refused at once with 503,
// Retry-After and the standard error body, without a log line, and that the
// slot frees again.
func TestLoadShedderRefusesPastItsBound(t *testing.T) {
	release, entered := make(chan struct{}), make(chan struct{})
	var logs bytes.Buffer
	r := gin.New()
	r.Use(func(c *gin.Context) { c.Set(ctxLogger, slog.New(slog.NewJSONHandler(&logs, nil))) })
	r.GET("/slow", newLoadShedder(1, busy).admit, func(c *gin.Context) {
		entered <- struct{}{}
		<-release
		c.Status(http.StatusNoContent)
	})
	first := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/slow", nil))
		first <- rec.Code
	}()
	<-entered

	start := time.Now()
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/slow", nil))
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusServiceUnavailable ||
		rec.Header().Get("Retry-After") == "" || body.Error.Code != "overloaded" {
		t.Fatalf("second request: %d, Retry-After %q, body %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Fatalf("the refusal waited %s", waited)
	}
	if logs.Len() > 0 {
		t.Fatalf("the refusal was logged, which adds to the load being shed: %s", logs.String())
	}

	close(release)
	if code := <-first; code != http.StatusNoContent {
		t.Fatalf("first request: %d", code)
	}
	go func() { <-entered }()
	rec = httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/slow", nil))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("after the slot freed: %d %s", rec.Code, rec.Body)
	}
}
