package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/api"
	"github.com/sluice-dev/sluice/config"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/service"
)

const syncUsage = `Usage: sluice sync <action> --team NAME [flags]

Actions:
  run     --integration ID          start a run of the integration's sync now
  replay  --run ID [--all]          re-run a finished run (its failed tables, or all)
  cancel  --run ID                  cancel a queued or running run
  list    --integration ID [--limit N]  print the run history, newest first`

// runSync is the operators' sync command; it talks to sluice's database and
// Temporal like the API does (TEMPORAL_ADDRESS, DATABASE_URL).
func runSync(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", syncUsage)
	}
	action := args[0]
	switch action {
	case "run", "replay", "cancel", "list":
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, syncUsage)
		return flag.ErrHelp
	default:
		return fmt.Errorf("unknown action %q\n\n%s", action, syncUsage)
	}
	cfg := config.FromEnv()
	fs := newFlagSet("sync "+action, syncUsage)
	cfg.BindTemporalClient(fs)
	team := fs.String("team", "", "team name (required)")
	integration := fs.String("integration", "", "integration id (run, list)")
	run := fs.String("run", "", "run id (replay, cancel)")
	all := fs.Bool("all", false, "replay every table, not only the failed ones")
	limit := fs.Int("limit", 20, "runs to list")
	asJSON := fs.Bool("json", false, "print the API's JSON instead of a table: {\"data\": [runs]} for list, {\"data\": run} otherwise")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *team == "" {
		return fmt.Errorf("--team is required")
	}
	b, err := connect(ctx, cfg, newLogger("warn"), nil)
	if err != nil {
		return err
	}
	defer b.close()
	svc := b.service()
	teamRow, err := db.New(b.pool).TeamGetByName(ctx, *team)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("team %q does not exist; teams are created with 'sluice token create --team NAME'", *team)
	} else if err != nil {
		return fmt.Errorf("team %q: %w", *team, err)
	}
	id := func(s, what string) (uuid.UUID, error) {
		parsed, err := uuid.Parse(s)
		if err != nil {
			return uuid.Nil, fmt.Errorf("--%s must be a UUID", what)
		}
		return parsed, nil
	}
	var runs []service.SyncRun
	switch action {
	case "run", "list":
		integrationID, err := id(*integration, "integration")
		if err != nil {
			return err
		}
		if action == "run" {
			r, err := svc.RunSync(ctx, teamRow.ID, integrationID)
			runs = append(runs, r)
			if err != nil {
				return err
			}
		} else if runs, err = svc.SyncHistory(ctx, teamRow.ID, integrationID, *limit); err != nil {
			return err
		}
	case "replay", "cancel":
		runID, err := id(*run, "run")
		if err != nil {
			return err
		}
		var r service.SyncRun
		if action == "replay" {
			r, err = svc.ReplaySync(ctx, teamRow.ID, runID, *all)
		} else {
			r, err = svc.CancelSync(ctx, teamRow.ID, runID)
		}
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	return printRuns(stdout, runs, *asJSON, action == "list")
}

// printRuns prints runs as a table, or with --json in the API's own shape
// (snake_case fields, ids as strings, config as JSON), so a script can read
// the CLI's output and the API's answers alike.
func printRuns(w io.Writer, runs []service.SyncRun, asJSON, list bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if !list && len(runs) == 1 {
			return enc.Encode(map[string]any{"data": api.SyncRunJSON(runs[0])})
		}
		views := make([]any, len(runs))
		for i, r := range runs {
			views[i] = api.SyncRunJSON(r)
		}
		return enc.Encode(map[string]any{"data": views})
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTATUS\tTRIGGER\tCREATED\tROWS WRITTEN\tWORKFLOW")
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", r.ID, r.Status, r.Trigger, r.CreatedAt.Format("2006-01-02 15:04:05"), r.RowsWritten, r.WorkflowID)
	}
	return tw.Flush()
}
