package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/semantic"
)

// SemanticError is a problem with a cube query or a data model. Field says
// where (e.g. "cube_query.filters[0].operator" or "model"); Message names
// the member, operator or line at fault.
type SemanticError struct {
	Code    string // invalid_query or invalid_model
	Field   string
	Message string
}

func (e *SemanticError) Error() string { return e.Message }

// ModelInfo describes an integration's stored data model.
type ModelInfo struct {
	Summary   semantic.Summary
	SHA256    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PutModel validates a data model in Cube's YAML format and stores it as
// the integration's model, replacing any previous one.
func (s *Service) PutModel(ctx context.Context, teamID, id uuid.UUID, src []byte) (ModelInfo, error) {
	row, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: id})
	if err != nil {
		return ModelInfo{}, fmt.Errorf("integration %s: %w", id, dbError(err))
	}
	if row.Type == cubeType {
		return ModelInfo{}, &InputError{Field: "model", Problem: "is not used by cube integrations: their models live in the Cube deployment"}
	}
	if isAPISource(row.Type) {
		return ModelInfo{}, &InputError{Field: "model", Problem: fmt.Sprintf("is not used by %s integrations, which run no SQL: upload it to the team's lake integration (type ducklake), where their synced tables are", row.Type)}
	}
	model, err := semantic.ParseModel(src)
	if err != nil {
		return ModelInfo{}, &SemanticError{Code: "invalid_model", Field: "model", Message: "the model is invalid: " + err.Error()}
	}
	summary := model.Summary()
	summaryJSON, err := json.Marshal(summary)
	if err != nil {
		return ModelInfo{}, fmt.Errorf("encode model summary: %w", err)
	}
	sum := sha256.Sum256(src)
	stamps, err := s.queries.SemanticModelPut(ctx, db.SemanticModelPutParams{
		TeamID: teamID, ID: id, Source: string(src), Sha256: sum[:], Summary: summaryJSON,
	})
	if err != nil {
		return ModelInfo{}, fmt.Errorf("store model of integration %s: %w", id, dbError(err))
	}
	return ModelInfo{Summary: summary, SHA256: hex.EncodeToString(sum[:]), CreatedAt: stamps.CreatedAt, UpdatedAt: stamps.UpdatedAt}, nil
}

// GetModel returns an integration's stored model and its source.
func (s *Service) GetModel(ctx context.Context, teamID, id uuid.UUID) (ModelInfo, string, error) {
	row, err := s.queries.SemanticModelGet(ctx, db.SemanticModelGetParams{TeamID: teamID, IntegrationID: id})
	if err != nil {
		if errors.Is(dbError(err), ErrNotFound) {
			if _, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: id}); err != nil {
				return ModelInfo{}, "", fmt.Errorf("integration %s: %w", id, dbError(err))
			}
			return ModelInfo{}, "", noModel(id)
		}
		return ModelInfo{}, "", fmt.Errorf("model of integration %s: %w", id, dbError(err))
	}
	info := ModelInfo{SHA256: hex.EncodeToString(row.Sha256), CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}
	if err := json.Unmarshal(row.Summary, &info.Summary); err != nil {
		return ModelInfo{}, "", fmt.Errorf("decode model summary: %w", err)
	}
	return info, row.Source, nil
}

func noModel(id uuid.UUID) error {
	return &MissingError{What: fmt.Sprintf("integration %s has no data model; upload one with PUT /v1/api/integrations/%s/models", id, id)}
}

// loadModel parses an integration's stored model. Models were validated
// when stored, so a failure here means the parser changed; it is reported
// as a model problem so the team can re-upload.
func (s *Service) loadModel(ctx context.Context, teamID, id uuid.UUID) (*semantic.Model, error) {
	_, src, err := s.GetModel(ctx, teamID, id)
	if err != nil {
		return nil, err
	}
	model, err := semantic.ParseModel([]byte(src))
	if err != nil {
		return nil, &SemanticError{Code: "invalid_model", Field: "model", Message: "the stored model no longer validates; upload it again: " + err.Error()}
	}
	return model, nil
}
