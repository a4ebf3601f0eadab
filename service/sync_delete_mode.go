package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/syncspec"
)

// resolveDeleteMode checks the sync's and each table's delete mode against
// the load method and fills in the sync's when the request names none: a
// configuration stored with merge keeps its mode (those stored before delete
// modes keep "keep"), anything else gets the default for its load method.
func (s *Service) resolveDeleteMode(ctx context.Context, teamID, integrationID uuid.UUID, in *SyncConfigInput) error {
	if err := syncspec.CheckDeleteMode(in.DeleteMode, in.LoadMethod); err != nil {
		return &InputError{Field: "delete_mode", Problem: err.Error()}
	}
	for i, t := range in.Tables {
		if err := syncspec.CheckDeleteMode(t.DeleteMode, in.LoadMethod); err != nil {
			return &InputError{Field: fmt.Sprintf("tables[%d].delete_mode", i), Problem: err.Error()}
		}
	}
	if in.DeleteMode != "" {
		return nil
	}
	in.DeleteMode = syncspec.DefaultDeleteMode(in.LoadMethod)
	stored, err := s.queries.SyncConfigGetByIntegration(ctx, db.SyncConfigGetByIntegrationParams{TeamID: teamID, IntegrationID: integrationID})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return fmt.Errorf("read the stored sync config: %w", dbError(err))
	case syncspec.MergesOnKeys(stored.LoadMethod) && syncspec.MergesOnKeys(in.LoadMethod):
		in.DeleteMode = stored.DeleteMode
	}
	return nil
}
