package embeddings

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// openAIBatch is how many texts one request carries; OpenAI accepts up to
// 2048, local servers often far fewer.
const openAIBatch = 64

// maxResponseBytes bounds an embeddings response.
const maxResponseBytes = 64 << 20

// OpenAI calls an OpenAI-compatible embeddings endpoint
// (POST {base}/embeddings with {"model", "input": [...]}).
type OpenAI struct {
	baseURL string
	apiKey  string
	model   string
	client  *http.Client
}

var _ Provider = (*OpenAI)(nil)

// Name reports "openai".
func (o *OpenAI) Name() string { return "openai" }

// Model is the configured model.
func (o *OpenAI) Model() string { return o.model }

// Endpoint joins a base URL and an API path the way OpenAI-compatible
// clients do: a base that already ends in /v1 is used as is, any other gets /v1.
func Endpoint(base, path string) string {
	base = strings.TrimRight(base, "/")
	if !strings.HasSuffix(base, "/v1") {
		base += "/v1"
	}
	return base + path
}

type embeddingRequest struct {
	Model          string   `json:"model"`
	Input          []string `json:"input"`
	EncodingFormat string   `json:"encoding_format"`
}

type embeddingResponse struct {
	Data []struct {
		Index     int       `json:"index"`
		Embedding []float64 `json:"embedding"`
	} `json:"data"`
}

// Embed sends the texts in batches and returns their vectors L2-normalized.
func (o *OpenAI) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += openAIBatch {
		end := min(start+openAIBatch, len(texts))
		vecs, err := o.batch(ctx, texts[start:end])
		if err != nil {
			return nil, err
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (o *OpenAI) batch(ctx context.Context, texts []string) ([][]float32, error) {
	body, err := json.Marshal(embeddingRequest{Model: o.model, Input: texts, EncodingFormat: "float"})
	if err != nil {
		return nil, fmt.Errorf("encode embeddings request: %w", err)
	}
	var resp embeddingResponse
	if err := PostJSON(ctx, o.client, Endpoint(o.baseURL, "/embeddings"), o.apiKey, body, &resp); err != nil {
		return nil, fmt.Errorf("embeddings: %w", err)
	}
	if len(resp.Data) != len(texts) {
		return nil, fmt.Errorf("embeddings: asked for %d vectors, got %d", len(texts), len(resp.Data))
	}
	sort.Slice(resp.Data, func(i, j int) bool { return resp.Data[i].Index < resp.Data[j].Index })
	out := make([][]float32, len(texts))
	dims := len(resp.Data[0].Embedding)
	for i, d := range resp.Data {
		if len(d.Embedding) != dims || dims == 0 {
			return nil, errors.New("embeddings: the vectors in the response differ in length")
		}
		out[i] = normalize(d.Embedding)
	}
	return out, nil
}

// APIError is a non-2xx answer of an OpenAI-compatible endpoint, with the
// endpoint's own message.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message) }

// PostJSON posts body to url with the key as a bearer token and decodes the
// JSON answer into out. The key is never part of an error.
func PostJSON(ctx context.Context, client *http.Client, url, apiKey string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+apiKey)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("request failed: %w", redactURLError(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	if len(raw) > maxResponseBytes {
		return fmt.Errorf("response is larger than %d bytes", maxResponseBytes)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		msg := strings.TrimSpace(string(raw))
		if json.Unmarshal(raw, &e) == nil && e.Error.Message != "" {
			msg = e.Error.Message
		}
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		return &APIError{Status: resp.StatusCode, Message: msg}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode response: %w", err)
	}
	return nil
}

// redactURLError drops the URL from a transport error: the cause is what
// a reader needs, and a URL can carry credentials an operator put in it.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
