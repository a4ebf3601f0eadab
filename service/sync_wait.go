package service

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// MaxSyncRunWait bounds how long one request may wait for a run to finish;
// a client waiting longer asks again.
const MaxSyncRunWait = 60 * time.Second

// finishedRunStatuses are the statuses a run does not leave.
var finishedRunStatuses = []string{"succeeded", "partially_succeeded", "failed", "cancelled"}

// RunFinished reports whether a run's status is final.
func RunFinished(status string) bool { return slices.Contains(finishedRunStatuses, status) }

// WaitSyncRun returns a run once it has finished, or as it stands when wait
// (at most MaxSyncRunWait) runs out or the caller goes away. A team waits
// on at most maxWaitsPerTeam runs at once; past that it is told to retry.
func (s *Service) WaitSyncRun(ctx context.Context, teamID, runID uuid.UUID, wait time.Duration) (SyncRun, error) {
	if wait < 0 || wait > MaxSyncRunWait {
		return SyncRun{}, &InputError{Field: "wait", Problem: fmt.Sprintf("must be between 0s and %s", MaxSyncRunWait)}
	}
	run, err := s.GetSyncRun(ctx, teamID, runID)
	if err != nil || wait == 0 || RunFinished(run.Status) {
		return run, err
	}
	done, stop, err := s.runWaits.watch(s.queries, teamID, runID)
	if err != nil {
		return SyncRun{}, err
	}
	timer := time.NewTimer(wait)
	select {
	case <-done:
	case <-timer.C:
	case <-ctx.Done():
		ctx = context.WithoutCancel(ctx)
	}
	timer.Stop()
	stop() // before the last read: the team's wait is over
	return s.GetSyncRun(ctx, teamID, runID)
}
