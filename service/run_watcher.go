package service

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/db"
)

const (
	// runWatchPoll is how often the runs being waited on are checked: one
	// query for all of them, however many requests wait.
	runWatchPoll = 50 * time.Millisecond
	// maxWaitsPerTeam bounds a team's requests waiting at once, so no team
	// holds the server's goroutines and the watch query's size.
	maxWaitsPerTeam = 32
)

// runWatcher tells waiting requests when their runs finish. While any wait,
// one goroutine reads which of the runs have finished every runWatchPoll.
type runWatcher struct {
	mu      sync.Mutex
	waiters map[runKey][]chan struct{}
	perTeam map[uuid.UUID]int
	polling bool
}

type runKey struct{ team, run uuid.UUID }

func newRunWatcher() *runWatcher {
	return &runWatcher{waiters: map[runKey][]chan struct{}{}, perTeam: map[uuid.UUID]int{}}
}

// watch registers a wait on a run its team was checked to have: done closes
// when the run finishes, and stop (called once, always) ends the wait.
func (w *runWatcher) watch(q *db.Queries, team, run uuid.UUID) (done <-chan struct{}, stop func(), err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.perTeam[team] >= maxWaitsPerTeam {
		return nil, nil, &RateLimitError{What: "requests waiting for runs at once", RetryAfter: time.Second}
	}
	ch := make(chan struct{})
	key := runKey{team, run}
	w.waiters[key] = append(w.waiters[key], ch)
	w.perTeam[team]++
	if !w.polling {
		w.polling = true
		go w.poll(q)
	}
	var once sync.Once
	return ch, func() { once.Do(func() { w.forget(key, ch) }) }, nil
}

// forget removes one wait, finished or not.
func (w *runWatcher) forget(key runKey, ch chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.perTeam[key.team]--
	if w.perTeam[key.team] == 0 {
		delete(w.perTeam, key.team)
	}
	chans := w.waiters[key]
	for i, c := range chans {
		if c == ch {
			chans = append(chans[:i], chans[i+1:]...)
			break
		}
	}
	if len(chans) == 0 {
		delete(w.waiters, key)
	} else {
		w.waiters[key] = chans
	}
}

// poll checks the watched runs until no request waits.
func (w *runWatcher) poll(q *db.Queries) {
	for {
		time.Sleep(runWatchPoll)
		teams, ids := w.watched()
		if len(ids) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		finished, err := q.SyncRunsFinished(ctx, db.SyncRunsFinishedParams{TeamIds: teams, Ids: ids, FinalStatuses: finishedRunStatuses})
		cancel()
		if err != nil {
			slog.Warn("check the runs requests wait on", slog.Any("error", err))
			continue
		}
		w.wake(finished)
	}
}

// watched lists the runs waited on, ending the poll when there are none.
func (w *runWatcher) watched() (teams, ids []uuid.UUID) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.waiters) == 0 {
		w.polling = false
		return nil, nil
	}
	for k := range w.waiters {
		teams, ids = append(teams, k.team), append(ids, k.run)
	}
	return teams, ids
}

// wake tells the waiters of finished runs, once each.
func (w *runWatcher) wake(finished []uuid.UUID) {
	w.mu.Lock()
	defer w.mu.Unlock()
	done := make(map[uuid.UUID]bool, len(finished))
	for _, id := range finished {
		done[id] = true
	}
	for key, chans := range w.waiters {
		if done[key.run] {
			for _, ch := range chans {
				close(ch)
			}
			delete(w.waiters, key) // forget still counts the team's waits down
		}
	}
}
