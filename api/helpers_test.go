package api_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func assertErrorCode(t *testing.T, body []byte, code string) {
	t.Helper()
	var parsed struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &parsed); err != nil {
		t.Fatalf("error body is not JSON: %s", body)
	}
	if parsed.Error.Code != code || parsed.Error.Message == "" {
		t.Fatalf("error = %+v, want code %q with a message", parsed.Error, code)
	}
}
