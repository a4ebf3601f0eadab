package activities

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"go.temporal.io/sdk/temporal"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/syncspec"
)

// A run writes only lake tables its sync configuration owns (see the
// service's sync_owners.go): planning claims each table, and a table another
// configuration owns fails in the run with the message saving the sync
// would have given, while the other tables go on.

// claimTable claims tp's lake table for the run's configuration, or gives tp
// the Problem that another configuration owns it. A configuration deleted
// since the run started owns nothing, so its tables fail too.
func (a *Syncs) claimTable(ctx context.Context, teamID, integrationID uuid.UUID, cfg syncspec.Config, tp TablePlan) (TablePlan, error) {
	configID, err := uuid.Parse(cfg.ConfigID)
	if err != nil {
		tp.Problem = "the run names no sync configuration, so it owns no lake table to write"
		return tp, nil
	}
	owner, err := a.queries().LakeTableClaim(ctx, db.LakeTableClaimParams{
		TeamID: teamID, DestSchema: cfg.DestSchema, DestTable: tp.DestTable,
		ConfigID: configID, IntegrationID: integrationID, SourceTable: tp.Source.String(),
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" { // the configuration is gone
		tp.Problem = fmt.Sprintf("the sync configuration of this run was deleted, so it no longer owns lake table %s.%s", cfg.DestSchema, tp.DestTable)
		return tp, nil
	}
	if err != nil {
		return tp, fmt.Errorf("claim lake table %s.%s: %w", cfg.DestSchema, tp.DestTable, err)
	}
	if owner.ConfigID != configID {
		tp.Problem = a.ownedElsewhere(ctx, owner)
	}
	return tp, nil
}

// checkOwner makes sure the run's configuration owns the table before a
// copy writes it: it claims the table again (a no-op when it is already the
// owner), so a table released or taken over since the run was planned, or
// one of a run planned before owners were recorded, is never written by a
// configuration that does not own it.
func (a *Syncs) checkOwner(ctx context.Context, teamID, integrationID uuid.UUID, in CopyTableInput) error {
	tp, err := a.claimTable(ctx, teamID, integrationID, syncspec.Config{ConfigID: in.ConfigID, DestSchema: in.DestSchema}, in.Table)
	if err != nil {
		return err
	}
	if tp.Problem != "" {
		return temporal.NewNonRetryableApplicationError(tp.Problem, ErrTypeTableProblem, nil)
	}
	return nil
}

// ownedElsewhere says which integration owns a table.
func (a *Syncs) ownedElsewhere(ctx context.Context, owner db.LakeTableOwner) string {
	name := owner.IntegrationID.String()
	if row, err := a.queries().IntegrationGet(ctx, db.IntegrationGetParams{TeamID: owner.TeamID, ID: owner.IntegrationID}); err == nil {
		name = row.Name
	}
	return syncspec.OwnedElsewhere(owner.DestSchema, owner.DestTable, name, owner.IntegrationID.String())
}
