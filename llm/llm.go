// Package llm is a small client of OpenAI-compatible chat-completions
// endpoints (OpenAI, Ollama, vLLM, LiteLLM …), which AI SQL prompts. The
// endpoint, model and key come from the operator's configuration; the key
// is sent as a bearer token and never appears in an error.
package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/embeddings"
)

// Config is where the chat model is. A Config without BaseURL or Model means
// no model is configured.
type Config struct {
	BaseURL string
	APIKey  string
	Model   string
	// HTTPClient overrides the client (tests); the default times out after two minutes.
	HTTPClient *http.Client
}

// Configured reports whether a model is configured.
func (c Config) Configured() bool { return c.BaseURL != "" && c.Model != "" }

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Client calls one chat-completions endpoint.
type Client struct {
	cfg    Config
	client *http.Client
}

// New returns a client, or an error if cfg names no model.
func New(cfg Config) (*Client, error) {
	if !cfg.Configured() {
		return nil, errors.New("no LLM is configured (set SLUICE_LLM_BASE_URL and SLUICE_LLM_MODEL)")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 2 * time.Minute}
	}
	return &Client{cfg: cfg, client: client}, nil
}

// Model is the configured model's name.
func (c *Client) Model() string { return c.cfg.Model }

type chatRequest struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	Temperature float64   `json:"temperature"`
	MaxTokens   int       `json:"max_tokens"`
}

type chatResponse struct {
	Choices []struct {
		Message      Message `json:"message"`
		FinishReason string  `json:"finish_reason"`
	} `json:"choices"`
}

// maxAnswerTokens bounds an answer: one query and a short explanation.
const maxAnswerTokens = 1500

// Complete sends the messages (POST {base}/chat/completions, temperature 0)
// and returns the first choice's text.
func (c *Client) Complete(ctx context.Context, messages []Message) (string, error) {
	body, err := json.Marshal(chatRequest{Model: c.cfg.Model, Messages: messages, Temperature: 0, MaxTokens: maxAnswerTokens})
	if err != nil {
		return "", fmt.Errorf("encode chat request: %w", err)
	}
	var resp chatResponse
	if err := embeddings.PostJSON(ctx, c.client, embeddings.Endpoint(c.cfg.BaseURL, "/chat/completions"), c.cfg.APIKey, body, &resp); err != nil {
		return "", fmt.Errorf("chat completion: %w", err)
	}
	if len(resp.Choices) == 0 || strings.TrimSpace(resp.Choices[0].Message.Content) == "" {
		return "", errors.New("chat completion: the model returned no text")
	}
	return resp.Choices[0].Message.Content, nil
}
