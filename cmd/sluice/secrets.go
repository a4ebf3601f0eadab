package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/config"
	"github.com/sluice-dev/sluice/secrets"
	"github.com/sluice-dev/sluice/service"
)

const secretsRotateSummary = `Usage: sluice secrets rotate [--batch-size N] [--dry-run]

Re-encrypt every stored secret under SLUICE_SECRET_KEY. Each ciphertext names
the key that sealed it; those sealed by a key in SLUICE_OLD_SECRET_KEYS
(comma-separated base64 keys that decrypt but never encrypt) are opened and
sealed again, a batch of rows per transaction, one team at a time. Rows already
under SLUICE_SECRET_KEY are skipped, so an interrupted rotation is finished by
running it again. Run it with the same environment as the api and worker, after
they all run with the new SLUICE_SECRET_KEY and the old key in
SLUICE_OLD_SECRET_KEYS; drop the old key only once a run reports nothing left
to re-encrypt and nothing failed. Prints counts, never keys or secrets.`

func runSecrets(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintln(stdout, secretsRotateSummary)
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "rotate" {
		return fmt.Errorf("usage: sluice secrets rotate [--batch-size N] [--dry-run] (see 'sluice secrets rotate --help')")
	}
	cfg := config.FromEnv()
	fs := newFlagSet("secrets rotate", secretsRotateSummary)
	cfg.BindDatabase(fs)
	batchSize := fs.Int("batch-size", 100, "integrations re-encrypted per transaction (at most 10000)")
	dryRun := fs.Bool("dry-run", false, "open every ciphertext and count what would be re-encrypted, writing nothing")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see 'sluice secrets rotate --help')", fs.Arg(0))
	}
	if *batchSize < 1 || *batchSize > 10_000 {
		return fmt.Errorf("--batch-size must be between 1 and 10000, got %d", *batchSize)
	}
	keyring, err := loadKeyring(cfg)
	if err != nil {
		return err
	}
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	svc := service.New(pool, nil, keyring, service.Options{})
	defer svc.Close()
	report, err := svc.RotateSecrets(ctx, service.RotateOptions{BatchSize: *batchSize, DryRun: *dryRun})
	printRotateReport(stdout, keyring, report, *dryRun)
	if err != nil {
		return err
	}
	if len(report.Failed) > 0 {
		return fmt.Errorf("%d integrations or alert channels keep their old ciphertext: add the keys that sealed them to SLUICE_OLD_SECRET_KEYS and run again", len(report.Failed))
	}
	return nil
}

// printRotateReport prints what a rotation did: counts, the primary key's
// id (a fingerprint every ciphertext already carries, not the key) and the
// integrations that failed.
func printRotateReport(w io.Writer, keyring *secrets.Keyring, r service.RotateReport, dryRun bool) {
	verb := "re-encrypted"
	if dryRun {
		verb = "to re-encrypt (dry run, nothing written)"
	}
	fmt.Fprintf(w, "sealing key id %s\n", keyring.PrimaryKeyID())
	fmt.Fprintf(w, "teams %d, batches %d: %d %s, %d already current, %d failed\n",
		r.Teams, r.Batches, r.Rotated, verb, r.Current, len(r.Failed))
	for _, f := range r.Failed {
		reason := "could not be opened"
		switch {
		case errors.Is(f.Err, secrets.ErrUnknownKey):
			reason = "sealed by a key that is neither SLUICE_SECRET_KEY nor in SLUICE_OLD_SECRET_KEYS"
		case errors.Is(f.Err, secrets.ErrMalformed):
			reason = "damaged ciphertext, or one not sealed for this integration"
		}
		what := "integration " + f.IntegrationID.String()
		if f.AlertChannelID != uuid.Nil {
			what = "alert channel " + f.AlertChannelID.String()
		}
		fmt.Fprintf(w, "failed: %s of team %s: %s\n", what, f.TeamID, reason)
	}
	if !r.Complete {
		fmt.Fprintln(w, "stopped before every team was visited; run again to finish")
	}
}
