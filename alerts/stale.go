package alerts

import (
	"context"
	"fmt"
	"time"

	"github.com/sluice-dev/sluice/db"
)

// maxStalePerCheck bounds one check's work; the rest wait for the next.
const maxStalePerCheck = 1000

// checkStale emits a sync.stale event for every sync a sync.stale rule
// covers that has not succeeded within the rule's bound. The event's key
// names the rule, the integration and its last success, so each stale
// spell is told once per rule, and again only after a new success ends it.
func (d *Dispatcher) checkStale(ctx context.Context) error {
	q := db.New(d.Pool)
	rows, err := q.AlertStaleSyncs(ctx, maxStalePerCheck)
	if err != nil {
		return fmt.Errorf("find stale syncs: %w", err)
	}
	for _, r := range rows {
		last, since := "never", r.SyncCreatedAt
		subject := map[string]any{"integration_id": r.IntegrationID.String(), "stale_hours": r.StaleHours}
		if r.LastSuccessRunID != "" {
			last = r.LastSuccessRunID
			subject["last_success_run_id"] = last
			if r.LastSuccessAt != nil {
				since = *r.LastSuccessAt
				subject["last_success_at"] = since.UTC()
			}
		}
		summary := fmt.Sprintf("Sync of %q has not succeeded for %d hours (last success: %s)",
			r.IntegrationName, deref(r.StaleHours), describeLast(r.LastSuccessRunID != "", since))
		_, err := Emit(ctx, q, Event{
			TeamID: r.TeamID, Kind: SyncStale, RuleID: r.RuleID, IntegrationID: r.IntegrationID,
			DedupKey: fmt.Sprintf("sync.stale:%s:%s:%s", r.RuleID, r.IntegrationID, last),
			Summary:  summary, Subject: subject, Links: d.Links.Integration(r.IntegrationID.String()),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func describeLast(ever bool, at time.Time) string {
	if !ever {
		return "never"
	}
	return at.UTC().Format(time.RFC3339)
}

func deref(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}
