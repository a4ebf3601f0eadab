package llm

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestExtractSQL(t *testing.T) {
	cases := []struct{ answer, sql, explanation string }{
		{"```sql\nSELECT 1;\n```\nIt selects one.", "SELECT 1", "It selects one."},
		{"Here:\n```\nSELECT a FROM t\n```", "SELECT a FROM t", "Here:"},
		{"Explain first.\n```text\nnot sql\n```\n```SQL\nWITH x AS (SELECT 1) SELECT * FROM x\n```", "WITH x AS (SELECT 1) SELECT * FROM x", "Explain first. ```text not sql ```"},
		{"select * from orders", "select * from orders", ""},
		{"I cannot answer that.", "", "I cannot answer that."},
		{"```sql\nDELETE FROM t; SELECT 1;\n```", "DELETE FROM t; SELECT 1", ""},
	}
	for _, tc := range cases {
		sql, expl := ExtractSQL(tc.answer)
		if sql != tc.sql || expl != tc.explanation {
			t.Errorf("ExtractSQL(%q) = %q, %q; want %q, %q", tc.answer, sql, expl, tc.sql, tc.explanation)
		}
	}
}

// TestCompleteAgainstFake runs the client against an in-process FAKE of an
// OpenAI-compatible POST /v1/chat/completions endpoint, speaking the
// documented wire format ({"model", "messages"} → {"choices": [{"message":
// {"role", "content"}, "finish_reason"}]}).
func TestCompleteAgainstFake(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer sk-chat" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error": {"message": "bad key"}}`))
			return
		}
		var req struct {
			Model    string    `json:"model"`
			Messages []Message `json:"messages"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		_ = json.NewEncoder(w).Encode(map[string]any{"id": "chatcmpl-1", "object": "chat.completion", "model": req.Model,
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]string{"role": "assistant", "content": "echo: " + req.Messages[len(req.Messages)-1].Content}}}})
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, APIKey: "sk-chat", Model: "fake-chat"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Complete(context.Background(), []Message{{Role: "user", Content: "hi"}})
	if err != nil || got != "echo: hi" {
		t.Fatalf("Complete = %q, %v", got, err)
	}
	bad, _ := New(Config{BaseURL: srv.URL + "/v1/", APIKey: "sk-secret-wrong", Model: "m"})
	_, err = bad.Complete(context.Background(), []Message{{Role: "user", Content: "hi"}})
	if err == nil || !strings.Contains(err.Error(), "bad key") || strings.Contains(err.Error(), "sk-secret-wrong") {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := New(Config{}); err == nil {
		t.Fatal("an empty config made a client")
	}
}
