package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/embeddings"
	"github.com/sluice-dev/sluice/secrets"
)

// Error types of the embedding activities, non-retryable.
const (
	// ErrTypeIntegrationGone means the integration was deleted meanwhile.
	ErrTypeIntegrationGone = "IntegrationGone"
	// ErrTypeEmbeddingRefused means the embeddings endpoint refused the
	// request itself (a bad key or model): asking again cannot help.
	ErrTypeEmbeddingRefused = "EmbeddingRefused"
)

// Bounds on one run, so a huge warehouse cannot make it unbounded. Tables
// are embedded in name order; those past the limit are left out and the
// counts say how many were embedded.
const (
	maxEmbedTables          = 5000
	maxEmbedColumnsPerTable = 500
)

// Embeddings holds the activities that compute a connection's schema embeddings.
type Embeddings struct {
	Pool    *pgxpool.Pool
	Keyring *secrets.Keyring
	// Provider embeds the schema text; nil means the builtin provider.
	Provider embeddings.Provider
}

// EmbedSchemaInput names the connection. It carries ids only.
type EmbedSchemaInput struct {
	TeamID        uuid.UUID `json:"team_id"`
	IntegrationID uuid.UUID `json:"integration_id"`
}

// EmbedSchemaOutput counts what was embedded.
type EmbedSchemaOutput struct {
	Tables  int `json:"tables"`
	Columns int `json:"columns"`
}

// EmbeddingFailedInput records why a run failed.
type EmbeddingFailedInput struct {
	TeamID        uuid.UUID `json:"team_id"`
	IntegrationID uuid.UUID `json:"integration_id"`
	Message       string    `json:"message"`
}

func (a *Embeddings) provider() embeddings.Provider {
	if a.Provider == nil {
		return embeddings.Builtin{}
	}
	return a.Provider
}

// ModelName is how vectors record the provider and model that made them.
func ModelName(p embeddings.Provider) string { return p.Name() + ":" + p.Model() }

// EmbedSchema discovers the connection's tables and columns and stores one
// vector per table and per column, table by table. It heartbeats the number
// of tables done and resumes from it; rows of earlier runs for tables no
// longer there are pruned at the end, and the state becomes ready with the
// hash of the table list.
func (a *Embeddings) EmbedSchema(ctx context.Context, in EmbedSchemaInput) (EmbedSchemaOutput, error) {
	q := db.New(a.Pool)
	row, err := q.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: in.TeamID, ID: in.IntegrationID})
	if errors.Is(err, pgx.ErrNoRows) {
		return EmbedSchemaOutput{}, temporal.NewNonRetryableApplicationError("the connection was deleted", ErrTypeIntegrationGone, nil)
	}
	if err != nil {
		return EmbedSchemaOutput{}, fmt.Errorf("read connection %s: %w", in.IntegrationID, err)
	}
	config := map[string]any{}
	if err := json.Unmarshal(row.Config, &config); err != nil {
		return EmbedSchemaOutput{}, fmt.Errorf("decode config of %s: %w", row.ID, err)
	}
	disc, closeFn, err := OpenConnector[connectors.Discoverer](ctx, a.Keyring,
		SealedIntegration{IntegrationID: row.ID.String(), Type: row.Type, Config: config, SealedSecrets: row.SealedSecrets})
	if err != nil {
		return EmbedSchemaOutput{}, err
	}
	defer closeFn(context.WithoutCancel(ctx)) //nolint:errcheck // best effort
	tables, err := disc.Tables(ctx)
	if err != nil {
		return EmbedSchemaOutput{}, asActivityError(fmt.Errorf("list tables: %w", err))
	}
	hash := embeddings.TableListHash(tables)
	sort.Slice(tables, func(i, j int) bool { return tables[i].Ref().String() < tables[j].Ref().String() })
	tables = tables[:min(len(tables), maxEmbedTables)]

	generation := activity.GetInfo(ctx).WorkflowExecution.RunID
	done := 0
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &done)
	}
	p := a.provider()
	if err := q.EmbeddingStateStart(ctx, db.EmbeddingStateStartParams{TeamID: in.TeamID, IntegrationID: in.IntegrationID,
		Provider: p.Name(), Model: p.Model(), TablesTotal: int32(len(tables)), TablesDone: int32(done)}); err != nil {
		return EmbedSchemaOutput{}, fmt.Errorf("record embedding start: %w", err)
	}
	for i := done; i < len(tables); i++ {
		if err := a.embedTable(ctx, in, disc, tables[i], generation); err != nil {
			return EmbedSchemaOutput{}, err
		}
		activity.RecordHeartbeat(ctx, i+1)
		if err := q.EmbeddingStateProgress(ctx, db.EmbeddingStateProgressParams{TeamID: in.TeamID, IntegrationID: in.IntegrationID, TablesDone: int32(i + 1)}); err != nil {
			return EmbedSchemaOutput{}, fmt.Errorf("record embedding progress: %w", err)
		}
	}
	if _, err := q.SchemaEmbeddingPrune(ctx, db.SchemaEmbeddingPruneParams{TeamID: in.TeamID, IntegrationID: in.IntegrationID, Generation: generation}); err != nil {
		return EmbedSchemaOutput{}, fmt.Errorf("prune old embeddings: %w", err)
	}
	counts, err := q.SchemaEmbeddingCounts(ctx, db.SchemaEmbeddingCountsParams{TeamID: in.TeamID, IntegrationID: in.IntegrationID, Generation: generation})
	if err != nil {
		return EmbedSchemaOutput{}, fmt.Errorf("count embeddings: %w", err)
	}
	if err := q.EmbeddingStateReady(ctx, db.EmbeddingStateReadyParams{TeamID: in.TeamID, IntegrationID: in.IntegrationID,
		SchemaHash: hash, TablesEmbedded: counts.Tables, ColumnsEmbedded: counts.Columns}); err != nil {
		return EmbedSchemaOutput{}, fmt.Errorf("record embeddings ready: %w", err)
	}
	return EmbedSchemaOutput{Tables: int(counts.Tables), Columns: int(counts.Columns)}, nil
}

// embedTable describes one table, embeds its documents and replaces its
// stored vectors in one transaction. A table that disappeared or cannot be
// described with these credentials is skipped, not fatal.
func (a *Embeddings) embedTable(ctx context.Context, in EmbedSchemaInput, disc connectors.Discoverer, t connectors.Table, generation string) error {
	cols, err := disc.Columns(ctx, t.Ref())
	var qe *connectors.QueryError
	if errors.As(err, &qe) && (qe.Kind == connectors.QueryErrNotFound || qe.Kind == connectors.QueryErrPermission) {
		return nil
	}
	if err != nil {
		return asActivityError(fmt.Errorf("describe %s: %w", t.Ref(), err))
	}
	cols = cols[:min(len(cols), maxEmbedColumnsPerTable)]
	schema := embeddings.TableSchema{Table: t, Columns: cols}
	docs := []string{embeddings.TableDocument(schema)}
	for _, c := range cols {
		docs = append(docs, embeddings.ColumnDocument(t, c))
	}
	p := a.provider()
	vecs, err := p.Embed(ctx, docs)
	if err != nil {
		var apiErr *embeddings.APIError
		if errors.As(err, &apiErr) && apiErr.Status/100 == 4 && apiErr.Status != 429 {
			return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeEmbeddingRefused, nil)
		}
		return fmt.Errorf("embed %s: %w", t.Ref(), err)
	}
	detail, err := json.Marshal(schema)
	if err != nil {
		return fmt.Errorf("encode %s: %w", t.Ref(), err)
	}
	model := ModelName(p)
	rows := make([]db.SchemaEmbeddingInsertParams, len(docs))
	for i, doc := range docs {
		r := db.SchemaEmbeddingInsertParams{TeamID: in.TeamID, IntegrationID: in.IntegrationID, TableSchema: t.Schema,
			TableName: t.Name, Document: doc, Vector: embeddings.EncodeVector(vecs[i]), Model: model, Generation: generation}
		if i == 0 {
			r.Detail = detail
		} else {
			r.ColumnName = cols[i-1].Name
		}
		rows[i] = r
	}
	return pgx.BeginFunc(ctx, a.Pool, func(tx pgx.Tx) error {
		qtx := db.New(tx)
		if err := qtx.SchemaEmbeddingDeleteTable(ctx, db.SchemaEmbeddingDeleteTableParams{TeamID: in.TeamID, IntegrationID: in.IntegrationID,
			TableSchema: t.Schema, TableName: t.Name}); err != nil {
			return fmt.Errorf("replace embeddings of %s: %w", t.Ref(), err)
		}
		if _, err := qtx.SchemaEmbeddingInsert(ctx, rows); err != nil {
			return fmt.Errorf("store embeddings of %s: %w", t.Ref(), err)
		}
		return nil
	})
}

// MarkEmbeddingFailed records that a run failed, with a message safe to show.
func (a *Embeddings) MarkEmbeddingFailed(ctx context.Context, in EmbeddingFailedInput) error {
	msg := in.Message
	if err := db.New(a.Pool).EmbeddingStateFailed(ctx, db.EmbeddingStateFailedParams{TeamID: in.TeamID, IntegrationID: in.IntegrationID, Error: &msg}); err != nil {
		return fmt.Errorf("record embedding failure: %w", err)
	}
	return nil
}
