package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// TestLoadShedderRefusesPastItsBound holds the only slot with a request that
// blocks, and checks the next request is refused at once with 503,
// Retry-After and the standard error body, and that the slot frees again.
func TestLoadShedderRefusesPastItsBound(t *testing.T) {
	release, entered := make(chan struct{}), make(chan struct{})
	r := gin.New()
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
