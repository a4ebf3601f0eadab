package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/embeddings"
)

// Limits on a schema search.
const (
	maxQuestionLength = 2000
	// MaxSearchResults is the most tables (and columns) one search returns.
	MaxSearchResults     = 50
	defaultSearchResults = 10
)

// SchemaSearch is a ranked answer to a plain-words question about a
// connection's schema.
type SchemaSearch struct {
	Query     string
	Tables    []embeddings.TableHit
	Columns   []embeddings.ColumnHit
	Embedding EmbeddingState
}

// SearchSchema ranks the connection's tables and columns for q by embedding
// similarity. The embeddings must have been computed (embedding_status
// ready, or an earlier run's vectors while a new one runs); otherwise the
// answer is a conflict that says what to wait for.
func (s *Service) SearchSchema(ctx context.Context, teamID, id uuid.UUID, q string, k int) (SchemaSearch, error) {
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return SchemaSearch{}, &InputError{Field: "q", Problem: "is required: a question or keywords"}
	case utf8.RuneCountInString(q) > maxQuestionLength:
		return SchemaSearch{}, &InputError{Field: "q", Problem: fmt.Sprintf("is longer than %d characters", maxQuestionLength)}
	case k == 0:
		k = defaultSearchResults
	case k < 1 || k > MaxSearchResults:
		return SchemaSearch{}, &InputError{Field: "k", Problem: fmt.Sprintf("must be between 1 and %d", MaxSearchResults)}
	}
	state, entries, err := s.schemaVectors(ctx, teamID, id)
	if err != nil {
		return SchemaSearch{}, err
	}
	vecs, err := s.opts.Embeddings.Embed(ctx, []string{q})
	if err != nil || len(vecs) != 1 {
		return SchemaSearch{}, fmt.Errorf("embed the question: %w: %v", ErrUnavailable, err)
	}
	tables, columns := embeddings.Rank(vecs[0], entries, k)
	return SchemaSearch{Query: q, Tables: tables, Columns: columns, Embedding: *state}, nil
}

// schemaVectors returns the connection's stored vectors (from memory when
// they have not changed since they were last read).
func (s *Service) schemaVectors(ctx context.Context, teamID, id uuid.UUID) (*EmbeddingState, []embeddings.Entry, error) {
	row, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: id})
	if err != nil {
		return nil, nil, fmt.Errorf("integration %s: %w", id, dbError(err))
	}
	if !embeddable(row.Type) {
		return nil, nil, notSupportedOn("schema search", row.Type)
	}
	stRow, err := s.queries.EmbeddingStateGet(ctx, db.EmbeddingStateGetParams{TeamID: teamID, IntegrationID: id})
	if errors.Is(dbError(err), ErrNotFound) {
		// A connection made before embeddings existed: start now.
		if _, err := s.requestEmbedding(ctx, teamID, id, "first search"); err != nil {
			return nil, nil, err
		}
		return nil, nil, &ConflictError{What: "schema embeddings are being computed for the first time (embedding_status pending); retry when the connection shows embedding_status ready"}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read embedding state of %s: %w", id, dbError(err))
	}
	state := embeddingStateFrom(stRow)
	if state.EmbeddedAt == nil {
		if state.Status == EmbeddingFailed {
			return nil, nil, &ConflictError{What: "computing the schema embeddings failed: " + state.Error + "; refresh the schema (GET …/schema?refresh=true) to try again"}
		}
		return nil, nil, &ConflictError{What: fmt.Sprintf("schema embeddings are not ready yet (embedding_status %s, %d of %d tables done); retry shortly", state.Status, state.TablesDone, state.TablesTotal)}
	}
	want := activities.ModelName(s.opts.Embeddings)
	entries, model, err := s.vectors.load(ctx, s.queries, teamID, id, *state.EmbeddedAt)
	if err != nil {
		return nil, nil, err
	}
	if model != "" && model != want {
		_, _ = s.requestEmbedding(ctx, teamID, id, "embedding model changed")
		return nil, nil, &ConflictError{What: fmt.Sprintf("the stored embeddings were made with %s and this server embeds with %s; they are being recomputed, retry shortly", model, want)}
	}
	return state, entries, nil
}

// vectorCache keeps decoded vectors of the connections searched recently,
// keyed by when they were embedded, so a search does not re-read them.
type vectorCache struct {
	mu      sync.Mutex
	entries map[uuid.UUID]cachedVectors
}

type cachedVectors struct {
	embeddedAt time.Time
	model      string
	entries    []embeddings.Entry
	lastUsed   time.Time
}

// vectorCacheSize bounds how many connections' vectors stay in memory.
const vectorCacheSize = 16

func newVectorCache() *vectorCache { return &vectorCache{entries: map[uuid.UUID]cachedVectors{}} }

func (c *vectorCache) load(ctx context.Context, q *db.Queries, teamID, id uuid.UUID, embeddedAt time.Time) ([]embeddings.Entry, string, error) {
	c.mu.Lock()
	if hit, ok := c.entries[id]; ok && hit.embeddedAt.Equal(embeddedAt) {
		hit.lastUsed = time.Now()
		c.entries[id] = hit
		c.mu.Unlock()
		return hit.entries, hit.model, nil
	}
	c.mu.Unlock()
	rows, err := q.SchemaEmbeddingVectors(ctx, db.SchemaEmbeddingVectorsParams{TeamID: teamID, IntegrationID: id})
	if err != nil {
		return nil, "", fmt.Errorf("read schema vectors of %s: %w", id, dbError(err))
	}
	out := make([]embeddings.Entry, 0, len(rows))
	model := ""
	for _, r := range rows {
		v, err := embeddings.DecodeVector(r.Vector)
		if err != nil {
			return nil, "", fmt.Errorf("schema vector of %s.%s: %w", r.TableSchema, r.TableName, err)
		}
		out = append(out, embeddings.Entry{Schema: r.TableSchema, Table: r.TableName, Column: r.ColumnName, Vector: v})
		model = r.Model
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= vectorCacheSize {
		var oldest uuid.UUID
		var oldestAt time.Time
		for k, v := range c.entries {
			if oldestAt.IsZero() || v.lastUsed.Before(oldestAt) {
				oldest, oldestAt = k, v.lastUsed
			}
		}
		delete(c.entries, oldest)
	}
	c.entries[id] = cachedVectors{embeddedAt: embeddedAt, model: model, entries: out, lastUsed: time.Now()}
	return out, model, nil
}
