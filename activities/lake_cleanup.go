package activities

import (
	"context"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
)

// defaultOrphanGrace is how old a lake file that no snapshot references
// must be before a finished run removes it. It is longer than one copy
// attempt may run (12 hours), so a file a running copy has staged but not
// yet committed is not taken; a retry whose resume point lost a file
// starts its table over.
const defaultOrphanGrace = 24 * time.Hour

// orphanGrace is this worker's grace period for orphan lake files.
func (a *Syncs) orphanGrace() time.Duration {
	if a.OrphanGrace > 0 {
		return a.OrphanGrace
	}
	return defaultOrphanGrace
}

// removeOrphans deletes the team lake's files that no snapshot references
// and that are older than the grace period: those a killed or failed copy
// left behind. It is best effort: a failure is logged and the next run
// tries again.
func (a *Syncs) removeOrphans(ctx context.Context, teamID uuid.UUID) {
	logger := activity.GetLogger(ctx)
	lk, err := a.teamLake(ctx, teamID)
	if err != nil {
		logger.Warn("orphan lake files not removed", "team", teamID.String(), "error", err)
		return
	}
	n, err := lk.RemoveOrphanFiles(ctx, a.orphanGrace())
	if err != nil {
		logger.Warn("orphan lake files not all removed", "team", teamID.String(), "removed", n, "error", err)
		return
	}
	if n > 0 {
		logger.Info("removed orphan lake files", "team", teamID.String(), "files", n)
	}
}
