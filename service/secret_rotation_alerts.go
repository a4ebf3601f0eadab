package service

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/alerts"
	"github.com/sluice-dev/sluice/db"
)

// rotateAlertChannels re-encrypts the team's alert channels (their URLs and
// signing secrets) under the primary key in one transaction, as rotateBatch
// does for integrations, and adds its counts to report once committed.
func (s *Service) rotateAlertChannels(ctx context.Context, teamID uuid.UUID, opts RotateOptions, report *RotateReport) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("rotate alert channels of team %s: begin: %w", teamID, dbError(err))
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	q := s.queries.WithTx(tx)
	rows, err := q.AlertChannelSealedLock(ctx, teamID)
	if err != nil {
		return fmt.Errorf("rotate alert channels of team %s: lock: %w", teamID, dbError(err))
	}
	var batch RotateReport
	for _, row := range rows {
		if s.keyring.SealedByPrimary(row.SealedConfig) {
			batch.Current++
			continue
		}
		resealed, err := s.reseal(alerts.ChannelAD(row.ID), row.SealedConfig)
		if err != nil {
			batch.Failed = append(batch.Failed, RotateFailure{TeamID: teamID, AlertChannelID: row.ID, Err: err})
			continue
		}
		batch.Rotated++
		if opts.DryRun {
			continue
		}
		n, err := q.AlertChannelSealedReplace(ctx, db.AlertChannelSealedReplaceParams{
			NewSealed: resealed, TeamID: teamID, ID: row.ID, OldSealed: row.SealedConfig,
		})
		if err != nil {
			return fmt.Errorf("rotate alert channel %s: write: %w", row.ID, dbError(err))
		}
		if n != 1 {
			return fmt.Errorf("rotate alert channel %s: the row changed while locked", row.ID)
		}
	}
	if !opts.DryRun {
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("rotate alert channels of team %s: commit: %w", teamID, dbError(err))
		}
	}
	report.Rotated += batch.Rotated
	report.Current += batch.Current
	report.Failed = append(report.Failed, batch.Failed...)
	return nil
}
