package service

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/db"
)

// defaultRotateBatch is how many integrations one rotation transaction
// re-encrypts when RotateOptions.BatchSize is not set; maxRotateBatch caps it.
const (
	defaultRotateBatch = 100
	maxRotateBatch     = 10_000
)

// teamPage is how many team ids a rotation reads at a time.
const teamPage = 500

// RotateOptions tune RotateSecrets.
type RotateOptions struct {
	// BatchSize is how many integrations one transaction locks and
	// re-encrypts; 0 means 100, and more than 10,000 means 10,000.
	BatchSize int
	// MaxBatches stops the rotation after that many batches (0: no limit).
	// Tests use it to leave a rotation half done; a later run carries on.
	MaxBatches int
	// DryRun opens every ciphertext and counts what would change, but
	// writes nothing.
	DryRun bool
}

// RotateReport counts what a rotation did. It never holds key material or
// plaintext.
type RotateReport struct {
	// Teams is how many teams were visited.
	Teams int
	// Batches is how many batches were committed (or, in a dry run, read).
	Batches int
	// Rotated is how many ciphertexts were re-encrypted under the primary key
	// (in a dry run: would have been).
	Rotated int
	// Current is how many ciphertexts were already sealed by the primary key.
	Current int
	// Failed lists the integrations whose secrets could not be opened.
	Failed []RotateFailure
	// Complete is false when MaxBatches stopped the rotation early.
	Complete bool
}

// RotateFailure names an integration (or an alert channel) whose secrets
// stay as they were.
type RotateFailure struct {
	TeamID        uuid.UUID
	IntegrationID uuid.UUID
	// AlertChannelID is set, and IntegrationID not, for an alert channel.
	AlertChannelID uuid.UUID
	// Err says why: secrets.ErrUnknownKey when no key of the keyring sealed
	// it, secrets.ErrMalformed when it is damaged. It never quotes the
	// ciphertext.
	Err error
}

// RotateSecrets re-encrypts every stored secret that the service's primary
// key did not seal: it walks the teams one at a time and, within a team, the
// integrations in id order, a batch per transaction. Each row is locked,
// opened with whichever key of the keyring sealed it, sealed again under the
// primary key and written back only if it is still the ciphertext that was
// read. Rows already sealed by the primary key are left alone, so a stopped
// rotation can simply be run again; until it completes, processes holding
// both the old and the new key read every row. integrations.sealed_secrets
// and alert_channels.sealed_config (a team's channels, in one transaction
// after its integrations) are the columns sealed with the keyring (API
// tokens are stored as hashes); a new sealed column must be added here.
func (s *Service) RotateSecrets(ctx context.Context, opts RotateOptions) (RotateReport, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = defaultRotateBatch
	}
	opts.BatchSize = min(opts.BatchSize, maxRotateBatch)
	var report RotateReport
	after := uuid.Nil
	for {
		teams, err := s.queries.TeamIDList(ctx, db.TeamIDListParams{After: after, PageSize: teamPage})
		if err != nil {
			return report, fmt.Errorf("rotate secrets: list teams: %w", dbError(err))
		}
		for _, team := range teams {
			report.Teams++
			done, err := s.rotateTeam(ctx, team, opts, &report)
			if err != nil {
				return report, err
			}
			if !done {
				return report, nil
			}
		}
		if len(teams) < teamPage {
			report.Complete = true
			return report, nil
		}
		after = teams[len(teams)-1]
	}
}

// rotateTeam rotates one team's integrations, a batch at a time; it reports
// false when MaxBatches ran out before the team was done.
func (s *Service) rotateTeam(ctx context.Context, teamID uuid.UUID, opts RotateOptions, report *RotateReport) (bool, error) {
	after := uuid.Nil
	for {
		if opts.MaxBatches > 0 && report.Batches >= opts.MaxBatches {
			return false, nil
		}
		n, last, err := s.rotateBatch(ctx, teamID, after, opts, report)
		if err != nil {
			return false, err
		}
		if n == 0 {
			return true, s.rotateAlertChannels(ctx, teamID, opts, report)
		}
		report.Batches++
		if n < opts.BatchSize {
			return true, s.rotateAlertChannels(ctx, teamID, opts, report)
		}
		after = last
	}
}

// rotateBatch re-encrypts up to BatchSize of the team's integrations after
// the given id in one transaction. It returns how many rows it read and the
// last id, and adds its counts to report only once they are committed.
func (s *Service) rotateBatch(ctx context.Context, teamID, after uuid.UUID, opts RotateOptions, report *RotateReport) (int, uuid.UUID, error) {
	return s.rotateRows(ctx, teamID, after, integrationSecrets, opts, report)
}

// reseal opens a ciphertext (an integration's, or an alert channel's) and seals its plaintext again
// under the primary key, checking that the new ciphertext opens to the same
// bytes before it is written anywhere.
func (s *Service) reseal(ad, sealed []byte) ([]byte, error) {
	plain, err := s.keyring.Open(sealed, ad)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	resealed, err := s.keyring.Seal(plain, ad)
	if err != nil {
		return nil, err
	}
	check, err := s.keyring.Open(resealed, ad)
	if err != nil || !bytes.Equal(check, plain) {
		return nil, errors.New("the re-encrypted secrets did not open to the same value")
	}
	clear(check)
	return resealed, nil
}
