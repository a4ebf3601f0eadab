package ratelimit

import (
	"testing"
	"time"
)

func TestSlidingWindow(t *testing.T) {
	now := time.Unix(1000, 0)
	l := New(10, 10*time.Second)
	l.now = func() time.Time { return now }
	for i := 0; i < 10; i++ {
		if ok, _ := l.Allow("team-a"); !ok {
			t.Fatalf("request %d refused", i+1)
		}
		now = now.Add(100 * time.Millisecond)
	}
	ok, wait := l.Allow("team-a")
	if ok {
		t.Fatal("11th request within the window allowed")
	}
	if want := 9 * time.Second; wait != want {
		t.Fatalf("retry after %s, want %s (until the first event leaves the window)", wait, want)
	}
	if ok, _ := l.Allow("team-b"); !ok {
		t.Fatal("another team was limited by team-a's requests")
	}
	now = now.Add(wait)
	if ok, _ := l.Allow("team-a"); !ok {
		t.Fatal("request after the window refused")
	}
}

func TestSweepForgetsIdleKeys(t *testing.T) {
	now := time.Unix(0, 0)
	l := New(1, time.Second)
	l.now = func() time.Time { return now }
	for i := 0; i < 100; i++ {
		l.Allow(string(rune('a'+i%26)) + string(rune(i)))
	}
	now = now.Add(3 * time.Second)
	l.Allow("fresh")
	if len(l.events) != 1 {
		t.Fatalf("%d keys kept after they went idle, want 1", len(l.events))
	}
}

func TestZeroLimitAllowsEverything(t *testing.T) {
	l := New(0, time.Second)
	for i := 0; i < 100; i++ {
		if ok, _ := l.Allow("k"); !ok {
			t.Fatal("refused with no limit")
		}
	}
}
