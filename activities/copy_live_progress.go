package activities

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
)

// liveProgressEvery is how often a running copy writes its rows read so far
// to the run's table row. Heartbeats reach only Temporal; the API and the
// console read the row, so a run shows its tables filling up while it goes.
const liveProgressEvery = 2 * time.Second

// estimateTimeout bounds the source's row estimate.
const estimateTimeout = 5 * time.Second

// rowsSoFar is the rows a copy has read by the time of its last heartbeat.
func (p copyProgress) rowsSoFar() int64 {
	if p.Merged != nil {
		return p.Merged.RowsRead
	}
	return p.RowsRead + p.Unsealed
}

// liveProgress writes a copy's rows read so far while it runs.
type liveProgress struct {
	done    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

// startLiveProgress writes the rows of the heartbeats' latest progress to
// the run's table row every liveProgressEvery until stop.
func (a *Syncs) startLiveProgress(ctx context.Context, beats *copyBeats, teamID, runID uuid.UUID, table string) *liveProgress {
	return startWritingProgress(ctx, beats, func(ctx context.Context, rows int64) error {
		return a.queries().SyncRunTableProgress(ctx, db.SyncRunTableProgressParams{TeamID: teamID, RunID: runID, SourceTable: table, RowsRead: rows})
	})
}

// startRangeProgress writes the rows one key range has read so far to the
// run's table row every liveProgressEvery until stop.
func (a *Syncs) startRangeProgress(ctx context.Context, beats *copyBeats, teamID, runID uuid.UUID, table string, index int) *liveProgress {
	return startWritingProgress(ctx, beats, func(ctx context.Context, rows int64) error {
		return a.writeRangeRows(ctx, teamID, runID, table, index, rows)
	})
}

// writeRangeRows records the rows one key range has read so far.
func (a *Syncs) writeRangeRows(ctx context.Context, teamID, runID uuid.UUID, table string, index int, rows int64) error {
	return a.queries().SyncRunTableRangeProgress(ctx, db.SyncRunTableRangeProgressParams{
		TeamID: teamID, RunID: runID, SourceTable: table, RangeIndex: int32(index), Rows: rows})
}

// startWritingProgress writes the rows of the heartbeats' latest progress
// with write every liveProgressEvery until stop. A failed write is skipped,
// not an error: the copy matters more than its progress display, and the
// next write or the table's final count corrects it.
func startWritingProgress(ctx context.Context, beats *copyBeats, write func(context.Context, int64) error) *liveProgress {
	p := &liveProgress{done: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(p.stopped)
		tick := time.NewTicker(liveProgressEvery)
		defer tick.Stop()
		var written int64
		for {
			select {
			case <-p.done:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			latest, ok := beats.latest().(copyProgress)
			if !ok || latest.rowsSoFar() <= written {
				continue
			}
			wctx, cancel := context.WithTimeout(ctx, liveProgressEvery)
			err := write(wctx, latest.rowsSoFar())
			cancel()
			if err == nil {
				written = latest.rowsSoFar()
			}
		}
	}()
	return p
}

// stop ends the writes and waits for one in flight, so no write follows the
// table's final count. Stopping again does nothing.
func (p *liveProgress) stop() {
	p.once.Do(func() { close(p.done) })
	<-p.stopped
}

// recordEstimate keeps the source's estimate of the table's rows for a full
// read (an incremental read takes only the rows past the cursor, which the
// estimate of the whole table would overstate). A source without one, or an
// estimate that fails, leaves it unknown.
func (a *Syncs) recordEstimate(ctx context.Context, source sourceTable, teamID uuid.UUID, in CopyTableInput) {
	estimator, ok := source.(connectors.RowEstimator)
	runID, err := uuid.Parse(in.RunID)
	if !ok || err != nil {
		return
	}
	// Bounded on its own: statistics are a nicety and must not hold up the copy.
	ectx, cancel := context.WithTimeout(ctx, estimateTimeout)
	defer cancel()
	ref := in.Table.Source
	rows, ok, err := estimator.EstimateRows(ectx, ref)
	if err != nil || !ok {
		return
	}
	_ = a.queries().SyncRunTableEstimate(ctx, db.SyncRunTableEstimateParams{
		TeamID: teamID, RunID: runID, SourceTable: ref.String(), RowsEstimate: &rows})
}
