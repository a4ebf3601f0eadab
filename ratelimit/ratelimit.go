// Package ratelimit holds per-key sliding-window limiters: at most Limit
// events per Window for each key (a team), with the wait until the next
// allowed event, for Retry-After. Limits are per process.
package ratelimit

import (
	"sync"
	"time"
)

// Limiter allows at most Limit events per Window per key.
type Limiter struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu     sync.Mutex
	events map[string][]time.Time
	swept  time.Time
}

// New returns a limiter; a limit of 0 or less allows everything.
func New(limit int, window time.Duration) *Limiter {
	return &Limiter{limit: limit, window: window, now: time.Now, events: map[string][]time.Time{}}
}

// Allow records an event for key if the limit allows it. Otherwise it
// returns false and how long until an event would be allowed.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	if l == nil || l.limit <= 0 {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	recent := trim(l.events[key], now.Add(-l.window))
	if len(recent) >= l.limit {
		l.events[key] = recent
		return false, recent[0].Add(l.window).Sub(now)
	}
	l.events[key] = append(recent, now)
	return true, 0
}

// trim drops the events at or before cutoff; events are in time order.
func trim(events []time.Time, cutoff time.Time) []time.Time {
	i := 0
	for i < len(events) && !events[i].After(cutoff) {
		i++
	}
	return events[i:]
}

// sweep forgets idle keys once per window so memory stays bounded by the
// number of keys active in the last window.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < l.window {
		return
	}
	l.swept = now
	cutoff := now.Add(-l.window)
	for k, ev := range l.events {
		if len(ev) == 0 || !ev[len(ev)-1].After(cutoff) {
			delete(l.events, k)
		}
	}
}
