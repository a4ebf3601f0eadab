// Package embeddings turns schema text and questions into vectors and ranks
// a schema's tables and columns for a question. Providers sit behind one
// interface: Builtin (offline, deterministic, the default) and OpenAI (any
// OpenAI-compatible /v1/embeddings endpoint: OpenAI, Ollama, vLLM).
//
// Only schema text is ever embedded (names, types, comments), never row
// values; see TableDocument.
package embeddings

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Provider embeds texts. Vectors of different providers or models are not
// comparable: Name and Model are stored with every vector and checked.
type Provider interface {
	Name() string
	Model() string
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// Config selects and configures a provider. It comes from the operator's
// configuration, never from a request.
type Config struct {
	// Provider is "builtin" (default) or "openai".
	Provider string
	// BaseURL is the OpenAI-compatible endpoint, e.g. https://api.openai.com/v1
	// or http://localhost:11434/v1 for Ollama.
	BaseURL string
	// APIKey is sent as a bearer token; it may be empty for local servers.
	APIKey string
	// Model is the embedding model, e.g. text-embedding-3-small.
	Model string
	// HTTPClient overrides the client used for requests (tests).
	HTTPClient *http.Client
}

// New returns the provider cfg selects.
func New(cfg Config) (Provider, error) {
	switch cfg.Provider {
	case "", "builtin":
		return Builtin{}, nil
	case "openai":
		if cfg.BaseURL == "" || cfg.Model == "" {
			return nil, errors.New("the openai embeddings provider needs SLUICE_OPENAI_BASE_URL and SLUICE_EMBEDDINGS_MODEL")
		}
		client := cfg.HTTPClient
		if client == nil {
			client = &http.Client{Timeout: 60 * time.Second}
		}
		return &OpenAI{baseURL: cfg.BaseURL, apiKey: cfg.APIKey, model: cfg.Model, client: client}, nil
	}
	return nil, fmt.Errorf("unknown embeddings provider %q (want builtin or openai)", cfg.Provider)
}
