package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/config"
	"github.com/sluice-dev/sluice/db"
	lakesvc "github.com/sluice-dev/sluice/service/lake"
)

const lakeUsage = `Usage: sluice lake <action> --team NAME [flags]

Actions:
  maintain   run the team's lake maintenance now and wait for it: compact small
             files, expire snapshots older than the worker's
             SLUICE_LAKE_SNAPSHOT_RETENTION (default 168h, the latest is always
             kept), remove files no kept snapshot reads. A worker runs it; every
             team with a lake also has a schedule that runs it every
             SLUICE_LAKE_MAINTENANCE_INTERVAL (default 24h).`

// lakeService is the lake browsing and maintenance service of this process.
func (b *backend) lakeService() *lakesvc.Service {
	return lakesvc.New(b.pool, b.temporal, lakesvc.Options{DataDir: b.cfg.DataDir, Lakes: b.lakes, TaskQueue: b.cfg.TaskQueue,
		MaintenanceInterval: b.cfg.LakeMaintenanceInterval})
}

// ensureLakeSchedules gives every team with a lake its maintenance schedule
// when a worker starts (teams whose lake predates maintenance included), and
// again every hour until ctx ends, so a team whose lake was created since
// gets one too. A failure is logged; the next round tries again.
func (b *backend) ensureLakeSchedules(ctx context.Context) {
	ls := b.lakeService()
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if err := ls.EnsureSchedules(ctx); err != nil && ctx.Err() == nil {
			b.logger.Warn("lake maintenance schedules not all created", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// runLake is the operators' lake command; like 'sluice sync' it talks to
// sluice's database and Temporal (DATABASE_URL, TEMPORAL_ADDRESS), and a
// worker does the work.
func runLake(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", lakeUsage)
	}
	switch args[0] {
	case "maintain":
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, lakeUsage)
		return flag.ErrHelp
	default:
		return fmt.Errorf("unknown action %q\n\n%s", args[0], lakeUsage)
	}
	cfg := config.FromEnv()
	fs := newFlagSet("lake "+args[0], lakeUsage)
	cfg.BindTemporalClient(fs)
	team := fs.String("team", "", "team name (required)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *team == "" {
		return errors.New("--team is required")
	}
	b, err := connect(ctx, cfg, newLogger("warn"), nil)
	if err != nil {
		return err
	}
	defer b.close()
	teamRow, err := db.New(b.pool).TeamGetByName(ctx, *team)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("team %q does not exist; teams are created with 'sluice token create --team NAME'", *team)
	} else if err != nil {
		return fmt.Errorf("team %q: %w", *team, err)
	}
	out, err := b.lakeService().Maintain(ctx, teamRow.ID)
	if err != nil {
		return err
	}
	c, e, r := out.Compaction, out.Expiry, out.Removed
	fmt.Fprintf(stdout, "compaction: %d tables, %d compacted, live files %d → %d\n", c.Tables, c.Compacted, c.FilesBefore, c.FilesAfter)
	fmt.Fprintf(stdout, "expiry: %d snapshots expired, oldest kept %d, %d files scheduled for deletion\n", e.Expired, e.OldestKept, e.FilesScheduled)
	fmt.Fprintf(stdout, "removed: %d files of expired snapshots, %d orphan files\n", r.Expired, r.Orphans)
	return nil
}
