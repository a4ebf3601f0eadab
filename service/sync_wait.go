package service

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/db"
)

// MaxSyncRunWait bounds how long one request may wait for a run to finish;
// a client waiting longer asks again.
const MaxSyncRunWait = 60 * time.Second

// syncRunWaitPoll is how often a waiting request reads the run's status: a
// read by primary key, so a waiter costs little and hears of the end within
// this.
const syncRunWaitPoll = 50 * time.Millisecond

// finishedRunStatuses are the statuses a run does not leave.
var finishedRunStatuses = []string{"succeeded", "partially_succeeded", "failed", "cancelled"}

// RunFinished reports whether a run's status is final.
func RunFinished(status string) bool { return slices.Contains(finishedRunStatuses, status) }

// WaitSyncRun returns a run once it has finished, or as it stands when wait
// (at most MaxSyncRunWait) runs out or the caller goes away.
func (s *Service) WaitSyncRun(ctx context.Context, teamID, runID uuid.UUID, wait time.Duration) (SyncRun, error) {
	if wait < 0 || wait > MaxSyncRunWait {
		return SyncRun{}, &InputError{Field: "wait", Problem: fmt.Sprintf("must be between 0s and %s", MaxSyncRunWait)}
	}
	if wait == 0 {
		return s.GetSyncRun(ctx, teamID, runID)
	}
	deadline := time.Now().Add(wait)
	for {
		run, err := s.queries.SyncRunGet(ctx, db.SyncRunGetParams{TeamID: teamID, ID: runID})
		if err != nil {
			return SyncRun{}, fmt.Errorf("sync run %s: %w", runID, dbError(err))
		}
		left := time.Until(deadline)
		if RunFinished(run.Status) || left <= 0 {
			return s.GetSyncRun(ctx, teamID, runID)
		}
		select {
		case <-ctx.Done():
			return s.GetSyncRun(context.WithoutCancel(ctx), teamID, runID)
		case <-time.After(min(syncRunWaitPoll, left)):
		}
	}
}
