package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/postgres"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/syncspec"
)

// cdcSource is what configuring and deleting a cdc sync needs of its source.
type cdcSource interface {
	CDCProblems(ctx context.Context, tables []connectors.TableRef) ([]string, error)
	DropCDC(ctx context.Context, slot, publication string) error
}

// cdcDropTimeout bounds dropping a deleted sync's slot at its source.
const cdcDropTimeout = 15 * time.Second

// checkCDCType refuses cdc on a source without logical replication: every
// type but Postgres (Redshift included).
func (s *Service) checkCDCType(ctx context.Context, teamID, integrationID uuid.UUID) error {
	row, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: integrationID})
	if err != nil {
		return fmt.Errorf("check cdc: %w", dbError(err))
	}
	if row.Type != "postgres" {
		return &NotSupportedError{What: "load_method cdc on a " + row.Type + " source",
			Instead: "cdc reads a Postgres logical replication slot, which " + row.Type + " does not have; use load_method merge with a cursor_field."}
	}
	return nil
}

// checkCDCSource refuses a cdc configuration its Postgres source cannot
// serve, saying what to change there: wal_level=logical, a role with
// REPLICATION that owns the tables, and tables whose updates and deletes
// carry their key.
func (s *Service) checkCDCSource(ctx context.Context, teamID, integrationID uuid.UUID, specs []syncspec.TableSpec) error {
	row, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: integrationID})
	if err != nil {
		return fmt.Errorf("check cdc: %w", dbError(err))
	}
	tables, err := s.ListTables(ctx, teamID, integrationID, false)
	if err != nil {
		return err
	}
	var refs []connectors.TableRef
	for _, spec := range specs {
		sel, err := syncspec.ParseTableSelector(spec.Name)
		if err != nil {
			continue // checkSyncTables reported it
		}
		for _, t := range tables.Value {
			if sel.Matches(t.Schema, t.Name) && !slices.Contains(refs, t.Ref()) {
				refs = append(refs, t.Ref())
			}
		}
	}
	src, _, release, err := source[cdcSource](ctx, s, teamID, integrationID)
	if err != nil {
		return err
	}
	defer release()
	problems, err := src.CDCProblems(ctx, refs)
	if err != nil {
		return sourceError(row, err, "checking change data capture")
	}
	if len(problems) > 0 {
		return &ValidationError{Step: "cdc", Message: "the source cannot serve change data capture yet: " + strings.Join(problems, "; ")}
	}
	return nil
}

// resetCDCOnTableChange forgets the slot state of a cdc configuration whose
// tables change, so its next run snapshots every table again (a new table
// has no copy to apply changes to).
func (s *Service) resetCDCOnTableChange(ctx context.Context, q *db.Queries, stored db.SyncConfig, found bool, in SyncConfigInput, tablesJSON []byte) error {
	if !found || in.LoadMethod != syncspec.LoadCDC {
		return nil
	}
	if stored.LoadMethod == syncspec.LoadCDC && string(stored.Tables) == string(tablesJSON) && stored.DestSchema == in.DestSchema {
		return nil
	}
	if err := q.CDCSlotReset(ctx, db.CDCSlotResetParams{TeamID: stored.TeamID, ConfigID: stored.ID}); err != nil {
		return fmt.Errorf("reset the cdc slot state: %w", dbError(err))
	}
	return nil
}

// CDCCleanup says what deleting a cdc sync did at its source.
type CDCCleanup struct {
	Slot        string `json:"slot"`
	Publication string `json:"publication"`
	Dropped     bool   `json:"dropped"`
	// Error says why they could not be dropped; they then hold WAL on the
	// source until dropped by hand (Manual).
	Error  string `json:"error,omitempty"`
	Manual string `json:"manual,omitempty"`
}

// DropSyncCDC drops the replication slot and publication of an
// integration's cdc sync at its source, and says whether it could; nil
// when the sync is not cdc. The configuration itself stays.
func (s *Service) DropSyncCDC(ctx context.Context, teamID, integrationID uuid.UUID) (*CDCCleanup, error) {
	cfg, err := s.queries.SyncConfigGetByIntegration(ctx, db.SyncConfigGetByIntegrationParams{TeamID: teamID, IntegrationID: integrationID})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the sync config: %w", dbError(err))
	}
	if cfg.LoadMethod != syncspec.LoadCDC {
		return nil, nil
	}
	slot, pub := postgres.SlotName(cfg.ID), postgres.PublicationName(cfg.ID)
	out := &CDCCleanup{Slot: slot, Publication: pub}
	dctx, cancel := context.WithTimeout(ctx, cdcDropTimeout)
	defer cancel()
	src, _, release, err := source[cdcSource](dctx, s, teamID, integrationID)
	if err == nil {
		err = src.DropCDC(dctx, slot, pub)
		release()
	}
	if err != nil {
		out.Error = fmt.Sprintf("could not reach the source to drop them: %v", err)
		out.Manual = fmt.Sprintf("SELECT pg_drop_replication_slot('%s'); DROP PUBLICATION %s;", slot, pub)
		return out, nil
	}
	out.Dropped = true
	return out, nil
}
