package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/embeddings"
	"github.com/sluice-dev/sluice/workflows"
)

// Embedding statuses.
const (
	EmbeddingPending = "pending"
	EmbeddingRunning = "running"
	EmbeddingReady   = "ready"
	EmbeddingFailed  = "failed"
)

// EmbeddingState is where a connection's schema embeddings stand.
type EmbeddingState struct {
	Status string
	// Reason says why the latest run was requested (created, schema changed …).
	Reason      string
	Provider    string
	Model       string
	TablesTotal int
	TablesDone  int
	Tables      int
	Columns     int
	Error       string
	RequestedAt time.Time
	EmbeddedAt  *time.Time
}

func embeddingStateFrom(row db.SchemaEmbeddingState) *EmbeddingState {
	st := &EmbeddingState{
		Status: row.Status, Reason: row.Reason, Provider: row.Provider, Model: row.Model,
		TablesTotal: int(row.TablesTotal), TablesDone: int(row.TablesDone), Tables: int(row.TablesEmbedded),
		Columns: int(row.ColumnsEmbedded), RequestedAt: row.RequestedAt, EmbeddedAt: row.EmbeddedAt,
	}
	if row.Error != nil {
		st.Error = *row.Error
	}
	return st
}

// embeddable says whether a type's schema is embedded: every SQL source.
// Cube integrations have no tables, and the lake is embedded by a later
// change (it is not opened through the connector registry).
func embeddable(typ string) bool { return typ != cubeType && typ != lakeType }

// requestEmbedding marks the integration's embeddings as wanted and starts
// the EmbedSchema workflow without waiting for it. It returns the new
// state, or nil when a run is already pending or running. A workflow that
// cannot be started leaves the state failed, so it shows and the next
// schema refresh asks again.
func (s *Service) requestEmbedding(ctx context.Context, teamID, id uuid.UUID, reason string) (*EmbeddingState, error) {
	row, err := s.queries.EmbeddingStateRequest(ctx, db.EmbeddingStateRequestParams{TeamID: teamID, ID: id, Reason: reason})
	if errors.Is(dbError(err), ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("request schema embeddings of %s: %w", id, dbError(err))
	}
	opts := client.StartWorkflowOptions{
		ID:                       "embed-schema/" + id.String(),
		TaskQueue:                s.opts.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		Memo:                     map[string]any{"team_id": teamID.String(), "reason": reason},
	}
	in := workflows.EmbedSchemaInput{TeamID: teamID, IntegrationID: id, Reason: reason}
	if _, err := s.temporal.ExecuteWorkflow(ctx, opts, workflows.EmbedSchema, in); err != nil {
		msg := "the embedding workflow could not be started; it is requested again when the schema is next refreshed"
		_ = s.queries.EmbeddingStateFailed(context.WithoutCancel(ctx), db.EmbeddingStateFailedParams{TeamID: teamID, IntegrationID: id, Error: &msg})
		return nil, fmt.Errorf("start schema embeddings of %s: %w: %v", id, ErrUnavailable, err)
	}
	return embeddingStateFrom(row), nil
}

// startEmbedding requests embeddings for a connection just created or
// changed and records the state on it. Failing to start does not fail the
// request that saved the connection: the state says what happened.
func (s *Service) startEmbedding(ctx context.Context, teamID uuid.UUID, it *Integration, reason string) {
	if !embeddable(it.Type) {
		return
	}
	if st, err := s.requestEmbedding(ctx, teamID, it.ID, reason); err == nil && st != nil {
		it.Embedding = st
		return
	}
	if row, err := s.queries.EmbeddingStateGet(ctx, db.EmbeddingStateGetParams{TeamID: teamID, IntegrationID: it.ID}); err == nil {
		it.Embedding = embeddingStateFrom(row)
	}
}

// attachEmbeddings sets the embedding state of each integration, in place.
func (s *Service) attachEmbeddings(ctx context.Context, teamID uuid.UUID, list []Integration) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(list))
	for i, it := range list {
		ids[i] = it.ID
	}
	rows, err := s.queries.EmbeddingStateList(ctx, db.EmbeddingStateListParams{TeamID: teamID, IntegrationIds: ids})
	if err != nil {
		return fmt.Errorf("read embedding states: %w", dbError(err))
	}
	byID := make(map[uuid.UUID]db.SchemaEmbeddingState, len(rows))
	for _, r := range rows {
		byID[r.IntegrationID] = r
	}
	for i := range list {
		if r, ok := byID[list[i].ID]; ok {
			list[i].Embedding = embeddingStateFrom(r)
		}
	}
	return nil
}

// withEmbedding returns the integration with its embedding state.
func (s *Service) withEmbedding(ctx context.Context, teamID uuid.UUID, it Integration) (Integration, error) {
	list := []Integration{it}
	err := s.attachEmbeddings(ctx, teamID, list)
	return list[0], err
}

// noticeTables compares a freshly discovered table list with the one the
// connection's embeddings were computed from, and re-embeds when the list
// changed (or the connection was never embedded). It never fails discovery.
func (s *Service) noticeTables(ctx context.Context, teamID, id uuid.UUID, tables []connectors.Table) {
	row, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: id})
	if err != nil || !embeddable(row.Type) {
		return
	}
	reason := "schema changed"
	st, err := s.queries.EmbeddingStateGet(ctx, db.EmbeddingStateGetParams{TeamID: teamID, IntegrationID: id})
	switch {
	case errors.Is(dbError(err), ErrNotFound):
		reason = "first discovery"
	case err != nil, st.Status == EmbeddingPending, st.Status == EmbeddingRunning:
		return
	case st.Status == EmbeddingReady && bytes.Equal(st.SchemaHash, embeddings.TableListHash(tables)):
		return
	case st.Status == EmbeddingFailed:
		reason = "retry after failure"
	}
	_, _ = s.requestEmbedding(ctx, teamID, id, reason)
}
