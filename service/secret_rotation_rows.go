package service

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/alerts"
	"github.com/sluice-dev/sluice/db"
)

// sealedRow is one ciphertext a rotation re-encrypts.
type sealedRow struct {
	id     uuid.UUID
	sealed []byte
}

// sealedColumn is a column sealed with the keyring: how a rotation locks a
// team's rows of it, what binds each ciphertext to its row, how it writes
// the new ciphertext, and how a row that no key opens is reported.
type sealedColumn struct {
	what    string
	lock    func(ctx context.Context, q *db.Queries, teamID, after uuid.UUID, batch int) ([]sealedRow, error)
	ad      func(id uuid.UUID) []byte
	replace func(ctx context.Context, q *db.Queries, teamID uuid.UUID, row sealedRow, resealed []byte) (int64, error)
	failed  func(teamID, id uuid.UUID, err error) RotateFailure
}

// integrationSecrets is integrations.sealed_secrets, bound to the id.
var integrationSecrets = sealedColumn{
	what: "integration",
	lock: func(ctx context.Context, q *db.Queries, teamID, after uuid.UUID, batch int) ([]sealedRow, error) {
		rows, err := q.IntegrationSealedLock(ctx, db.IntegrationSealedLockParams{TeamID: teamID, After: after, BatchSize: int32(batch)})
		out := make([]sealedRow, len(rows))
		for i, r := range rows {
			out[i] = sealedRow{id: r.ID, sealed: r.SealedSecrets}
		}
		return out, err
	},
	ad: func(id uuid.UUID) []byte { return []byte(id.String()) },
	replace: func(ctx context.Context, q *db.Queries, teamID uuid.UUID, row sealedRow, resealed []byte) (int64, error) {
		return q.IntegrationSealedReplace(ctx, db.IntegrationSealedReplaceParams{NewSealed: resealed, TeamID: teamID, ID: row.id, OldSealed: row.sealed})
	},
	failed: func(teamID, id uuid.UUID, err error) RotateFailure {
		return RotateFailure{TeamID: teamID, IntegrationID: id, Err: err}
	},
}

// alertChannelConfigs is alert_channels.sealed_config (URL and signing
// secret); a team has few channels, so one batch locks them all.
var alertChannelConfigs = sealedColumn{
	what: "alert channel",
	lock: func(ctx context.Context, q *db.Queries, teamID, _ uuid.UUID, _ int) ([]sealedRow, error) {
		rows, err := q.AlertChannelSealedLock(ctx, teamID)
		out := make([]sealedRow, len(rows))
		for i, r := range rows {
			out[i] = sealedRow{id: r.ID, sealed: r.SealedConfig}
		}
		return out, err
	},
	ad: alerts.ChannelAD,
	replace: func(ctx context.Context, q *db.Queries, teamID uuid.UUID, row sealedRow, resealed []byte) (int64, error) {
		return q.AlertChannelSealedReplace(ctx, db.AlertChannelSealedReplaceParams{NewSealed: resealed, TeamID: teamID, ID: row.id, OldSealed: row.sealed})
	},
	failed: func(teamID, id uuid.UUID, err error) RotateFailure {
		return RotateFailure{TeamID: teamID, AlertChannelID: id, Err: err}
	},
}

// rotateAlertChannels re-encrypts the team's alert channels in one
// transaction, after its integrations.
func (s *Service) rotateAlertChannels(ctx context.Context, teamID uuid.UUID, opts RotateOptions, report *RotateReport) error {
	_, _, err := s.rotateRows(ctx, teamID, uuid.Nil, alertChannelConfigs, opts, report)
	return err
}

// rotateRows re-encrypts one batch of a team's rows of col, after the given
// id, in one transaction: each locked row is opened with whichever key
// sealed it, sealed again under the primary key and written back only if
// it is still the ciphertext that was read. It returns how many rows it
// read and the last id, and adds its counts to report only once committed.
func (s *Service) rotateRows(ctx context.Context, teamID, after uuid.UUID, col sealedColumn, opts RotateOptions, report *RotateReport) (int, uuid.UUID, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, uuid.Nil, fmt.Errorf("rotate secrets of team %s: begin: %w", teamID, dbError(err))
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	q := s.queries.WithTx(tx)
	rows, err := col.lock(ctx, q, teamID, after, opts.BatchSize)
	if err != nil {
		return 0, uuid.Nil, fmt.Errorf("rotate secrets of team %s: lock %s batch: %w", teamID, col.what, dbError(err))
	}
	var batch RotateReport
	for _, row := range rows {
		if s.keyring.SealedByPrimary(row.sealed) {
			batch.Current++
			continue
		}
		resealed, err := s.reseal(col.ad(row.id), row.sealed)
		if err != nil {
			batch.Failed = append(batch.Failed, col.failed(teamID, row.id, err))
			continue
		}
		if opts.DryRun {
			batch.Rotated++
			continue
		}
		n, err := col.replace(ctx, q, teamID, row, resealed)
		if err != nil {
			return 0, uuid.Nil, fmt.Errorf("rotate secrets of %s %s: write: %w", col.what, row.id, dbError(err))
		}
		if n != 1 {
			// The row is locked, so this means it went away in between; the
			// next run looks at it again.
			return 0, uuid.Nil, fmt.Errorf("rotate secrets of %s %s: the row changed while locked", col.what, row.id)
		}
		batch.Rotated++
	}
	if !opts.DryRun {
		if err := tx.Commit(ctx); err != nil {
			return 0, uuid.Nil, fmt.Errorf("rotate secrets of team %s: commit: %w", teamID, dbError(err))
		}
	}
	report.Rotated += batch.Rotated
	report.Current += batch.Current
	report.Failed = append(report.Failed, batch.Failed...)
	if len(rows) == 0 {
		return 0, uuid.Nil, nil
	}
	return len(rows), rows[len(rows)-1].id, nil
}
