package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/activity"

	"github.com/sluice-dev/sluice/lake"
)

// Lake maintenance defaults.
const (
	// DefaultSnapshotRetention is how long time travel reaches back.
	DefaultSnapshotRetention = 7 * 24 * time.Hour
	// defaultExpiredFileGrace is how long a file of an expired snapshot stays
	// on disk: a query that began at that snapshot just before it expired
	// (queries time out after 30 s by default) can still read it.
	defaultExpiredFileGrace = 5 * time.Minute
)

// LakeMaintenance holds the activities of one lake maintenance run:
// compaction, snapshot expiry, and removing the files no snapshot reads.
type LakeMaintenance struct {
	Pool    *pgxpool.Pool
	DataDir string
	// Lakes is where the teams' lakes keep their files when SLUICE_LAKE_URL
	// is set; nil is DataDir/lake.
	Lakes *lake.Location
	// Retention is how old a snapshot must be to expire; zero means
	// DefaultSnapshotRetention.
	Retention time.Duration
	// ExpiredFileGrace is how long files of expired snapshots stay; zero
	// means five minutes, negative removes them at once.
	ExpiredFileGrace time.Duration
	// OrphanGrace is how old a file no snapshot ever referenced must be to
	// go (see Syncs.OrphanGrace); zero means 24 hours.
	OrphanGrace time.Duration
	// Compact tunes compaction (zero: the lake's defaults).
	Compact lake.CompactOptions
}

// LakeMaintenanceInput names the team whose lake is maintained.
type LakeMaintenanceInput struct {
	TeamID uuid.UUID `json:"team_id"`
}

// LakeCompactOutput sums up a compaction over a lake's tables.
type LakeCompactOutput struct {
	Tables      int `json:"tables"`
	Compacted   int `json:"compacted"`
	FilesBefore int `json:"files_before"`
	FilesAfter  int `json:"files_after"`
}

// LakeRemoveOutput counts the files removed.
type LakeRemoveOutput struct {
	Expired int `json:"expired_files"`
	Orphans int `json:"orphan_files"`
}

// lakeCompactProgress is the compaction's heartbeat: the tables done and
// what they added up to, so a retry resumes after them.
type lakeCompactProgress struct {
	Done int               `json:"done"`
	Out  LakeCompactOutput `json:"out"`
}

func (a *LakeMaintenance) open(ctx context.Context, teamID uuid.UUID) (*lake.Lake, error) {
	return a.Lakes.OpenTeam(ctx, a.Pool, a.DataDir, teamID)
}

// LakeCompact compacts every table of the team's lake, one snapshot per
// table that had small files, heartbeating after each table and resuming
// after the last one a previous attempt finished.
func (a *LakeMaintenance) LakeCompact(ctx context.Context, in LakeMaintenanceInput) (LakeCompactOutput, error) {
	lk, err := a.open(ctx, in.TeamID)
	if err != nil {
		return LakeCompactOutput{}, err
	}
	var p lakeCompactProgress
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &p)
	}
	tables, err := lk.Tables(ctx)
	if err != nil {
		return p.Out, fmt.Errorf("list lake tables: %w", err)
	}
	p.Out.Tables = len(tables)
	for i := p.Done; i < len(tables); i++ {
		t := tables[i]
		stop := keepBeating(ctx, p)
		res, err := lk.CompactTable(ctx, t.Schema, t.Name, a.Compact)
		stop()
		if err != nil {
			return p.Out, fmt.Errorf("compact %s.%s: %w", t.Schema, t.Name, err)
		}
		p.Out.FilesBefore += res.FilesBefore
		p.Out.FilesAfter += res.FilesAfter
		if res.SnapshotID != 0 {
			p.Out.Compacted++
		}
		p.Done = i + 1
		activity.RecordHeartbeat(ctx, p)
	}
	return p.Out, nil
}

// keepBeating heartbeats the progress so far every 30 seconds while one
// table compacts (a large one can take longer than the heartbeat timeout),
// until the returned function is called.
func keepBeating(ctx context.Context, p lakeCompactProgress) func() {
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(30 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				activity.RecordHeartbeat(ctx, p)
			}
		}
	}()
	return func() { close(done) }
}

// LakeExpireSnapshots expires the snapshots older than the retention,
// keeping the latest.
func (a *LakeMaintenance) LakeExpireSnapshots(ctx context.Context, in LakeMaintenanceInput) (lake.ExpireResult, error) {
	lk, err := a.open(ctx, in.TeamID)
	if err != nil {
		return lake.ExpireResult{}, err
	}
	retention := a.Retention
	if retention <= 0 {
		retention = DefaultSnapshotRetention
	}
	activity.RecordHeartbeat(ctx)
	res, err := lk.ExpireSnapshots(ctx, time.Now().Add(-retention))
	if err != nil {
		return res, fmt.Errorf("expire snapshots of team %s: %w", in.TeamID, err)
	}
	return res, nil
}

// LakeRemoveFiles deletes the files of expired snapshots (after their
// grace) and the files no snapshot ever referenced (RemoveOrphanFiles,
// which a finished sync run also calls).
func (a *LakeMaintenance) LakeRemoveFiles(ctx context.Context, in LakeMaintenanceInput) (LakeRemoveOutput, error) {
	var out LakeRemoveOutput
	lk, err := a.open(ctx, in.TeamID)
	if err != nil {
		return out, err
	}
	grace := a.ExpiredFileGrace
	switch {
	case grace == 0:
		grace = defaultExpiredFileGrace
	case grace < 0:
		grace = 0
	}
	activity.RecordHeartbeat(ctx)
	if out.Expired, err = lk.RemoveExpiredFiles(ctx, grace); err != nil {
		return out, fmt.Errorf("remove expired lake files: %w", err)
	}
	activity.RecordHeartbeat(ctx, out)
	orphanGrace := a.OrphanGrace
	if orphanGrace <= 0 {
		orphanGrace = defaultOrphanGrace
	}
	if out.Orphans, err = lk.RemoveOrphanFiles(ctx, orphanGrace); err != nil {
		return out, fmt.Errorf("remove orphan lake files: %w", err)
	}
	return out, nil
}
