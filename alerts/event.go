package alerts

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/db"
)

// The events a rule can name.
const (
	SyncRunFailed             = "sync_run.failed"
	SyncRunPartiallySucceeded = "sync_run.partially_succeeded"
	SyncStale                 = "sync.stale"
	TaskRunFailed             = "task_run.failed"
	TaskRunTimedOut           = "task_run.timed_out"
	MetricAnomaly             = "metric.anomaly"
	DatasetSchemaChanged      = "dataset.schema_changed"
	SourceSchemaChanged       = "source.schema_changed"
	// Test is what a channel's "send test" action sends; no rule names it.
	TestEvent = "test"
)

// Events lists the events rules may name, in the order the docs give them.
var Events = []string{
	SyncRunFailed, SyncRunPartiallySucceeded, SyncStale, TaskRunFailed, TaskRunTimedOut,
	MetricAnomaly, DatasetSchemaChanged, SourceSchemaChanged,
}

// Event is one thing that happened, as its notification tells it.
type Event struct {
	TeamID uuid.UUID
	// Kind is one of Events.
	Kind string
	// DedupKey names the occurrence: emitting the same key twice records
	// and sends it once.
	DedupKey string
	// Summary is the notification's one-line text.
	Summary string
	// Subject holds the ids of what happened (run_id, integration_id …).
	Subject map[string]any
	// Links point at the console, the API resource and the Temporal run.
	Links Links
	// The fields rules filter on; empty ones match only rules without
	// that filter.
	IntegrationID uuid.UUID
	App, TaskID   string
	Asset, Metric string
	OccurredAt    time.Time
	// RuleID, when set, limits the match to that rule (sync.stale events
	// belong to the rule whose bound they crossed).
	RuleID uuid.UUID
}

// Links are where a person reading the notification goes next.
type Links struct {
	Console  string `json:"console,omitempty"`
	API      string `json:"api,omitempty"`
	Temporal string `json:"temporal,omitempty"`
}

// Emit records ev and queues its deliveries; q may be a transaction's, so
// the event lands with the change it tells of. It returns how many
// deliveries it queued: none when no rule matches or the event was
// already recorded.
func Emit(ctx context.Context, q *db.Queries, ev Event) (int64, error) {
	subject, err := json.Marshal(ev.Subject)
	if err != nil {
		return 0, fmt.Errorf("encode %s event subject: %w", ev.Kind, err)
	}
	links, err := json.Marshal(ev.Links)
	if err != nil {
		return 0, fmt.Errorf("encode %s event links: %w", ev.Kind, err)
	}
	occurred := ev.OccurredAt
	if occurred.IsZero() {
		occurred = time.Now()
	}
	n, err := q.AlertEventEmit(ctx, db.AlertEventEmitParams{
		TeamID: ev.TeamID, Event: ev.Kind, DedupKey: ev.DedupKey, Summary: truncate(ev.Summary, maxSummary),
		Subject: subject, Links: links, OccurredAt: occurred,
		IntegrationID: nullUUID(ev.IntegrationID), App: optional(ev.App), TaskID: optional(ev.TaskID),
		Asset: optional(ev.Asset), Metric: optional(ev.Metric), RuleID: nullUUID(ev.RuleID),
	})
	if err != nil {
		return 0, fmt.Errorf("emit %s alert event: %w", ev.Kind, err)
	}
	return n, nil
}

// maxSummary bounds a notification's text (an error message can be long).
const maxSummary = 2000

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 { // not inside a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullUUID(id uuid.UUID) uuid.NullUUID {
	return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil}
}
