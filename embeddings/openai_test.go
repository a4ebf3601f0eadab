package embeddings

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeEmbeddingsServer is an in-process FAKE of an OpenAI-compatible
// POST /v1/embeddings endpoint, speaking the documented wire format
// ({"model", "input": [...]} → {"object": "list", "data": [{"object":
// "embedding", "index", "embedding"}], "model", "usage"}). It answers the
// data out of order, as the format allows, and 401 for a wrong key.
func fakeEmbeddingsServer(t *testing.T, key string, requests *int) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/embeddings" || r.Method != http.MethodPost {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+key {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}`))
			return
		}
		*requests++
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model != "fake-embed-1" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		type item struct {
			Object    string    `json:"object"`
			Index     int       `json:"index"`
			Embedding []float64 `json:"embedding"`
		}
		data := make([]item, len(req.Input))
		for i, text := range req.Input {
			// The vector encodes the text's length, so order mistakes show.
			data[len(req.Input)-1-i] = item{Object: "embedding", Index: i, Embedding: []float64{float64(len(text)), 1, 0}}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model,
			"usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
	}))
}

func TestOpenAIProviderAgainstFake(t *testing.T) {
	requests := 0
	srv := fakeEmbeddingsServer(t, "sk-test", &requests)
	defer srv.Close()
	p, err := New(Config{Provider: "openai", BaseURL: srv.URL, APIKey: "sk-test", Model: "fake-embed-1"})
	if err != nil {
		t.Fatal(err)
	}
	texts := make([]string, openAIBatch+3)
	for i := range texts {
		texts[i] = strings.Repeat("x", i)
	}
	vecs, err := p.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if requests != 2 || len(vecs) != len(texts) {
		t.Fatalf("%d requests, %d vectors", requests, len(vecs))
	}
	// Text i has length i: its normalized vector is (i, 1, 0)/|…|.
	if vecs[0][0] != 0 || vecs[0][1] != 1 || vecs[5][0] <= vecs[4][0] {
		t.Fatalf("vectors out of order: %v %v %v", vecs[0], vecs[4], vecs[5])
	}

	bad, _ := New(Config{Provider: "openai", BaseURL: srv.URL + "/v1", APIKey: "sk-wrong-secret", Model: "fake-embed-1"})
	_, err = bad.Embed(context.Background(), []string{"a"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || !strings.Contains(err.Error(), "Incorrect API key") {
		t.Fatalf("wrong key: %v", err)
	}
	if strings.Contains(err.Error(), "sk-wrong-secret") {
		t.Fatal("the error shows the key")
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	if _, err := New(Config{Provider: "openai"}); err == nil || !strings.Contains(err.Error(), "SLUICE_OPENAI_BASE_URL") {
		t.Fatalf("err = %v", err)
	}
	if _, err := New(Config{Provider: "word2vec"}); err == nil {
		t.Fatal("unknown provider accepted")
	}
	if p, err := New(Config{}); err != nil || p.Name() != "builtin" {
		t.Fatalf("default = %v, %v", p, err)
	}
}
