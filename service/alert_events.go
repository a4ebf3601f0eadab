package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/alerts"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/observability"
)

// alertLinks build the links of the alerts the service emits.
func (s *Service) alertLinks() alerts.LinkBase {
	return alerts.LinkBase{Public: s.opts.PublicURL, TemporalUI: s.opts.TemporalUIURL, Namespace: s.opts.Namespace}
}

// emitSchemaChange emits a dataset's schema change in the transaction that
// records it. A sync reports its source tables' schemas, so a change there
// is the source's (source.schema_changed, filtered by integration); the
// lake table's matching change is not told twice. Every other dataset's
// change is dataset.schema_changed.
func emitSchemaChange(ctx context.Context, q *db.Queries, links alerts.LinkBase, teamID uuid.UUID, run db.ObsTaskRun,
	name string, fromVersion int32, change observability.SchemaChange) error {
	ev := alerts.Event{
		TeamID: teamID, Kind: alerts.DatasetSchemaChanged, Asset: name, App: run.AppName, TaskID: run.TaskID,
		DedupKey: fmt.Sprintf("schema:%s:%d", name, fromVersion+1),
		Subject: map[string]any{
			"dataset": name, "from_version": fromVersion, "to_version": fromVersion + 1, "added": change.Added,
			"removed": change.Removed, "retyped": change.Retyped, "task_id": run.TaskID, "app_name": run.AppName,
		},
		Links: links.Dataset(name),
	}
	if run.AppName == SyncApp {
		if strings.HasPrefix(name, "lake.") {
			return nil
		}
		integration, err := uuid.Parse(strings.SplitN(name, ".", 2)[0])
		if err != nil {
			return nil // not a source dataset of sluice's naming
		}
		ev.Kind, ev.IntegrationID, ev.App, ev.TaskID = alerts.SourceSchemaChanged, integration, "", ""
		ev.Subject["integration_id"] = integration
	}
	ev.Summary = fmt.Sprintf("Schema of %s changed (version %d → %d): %s", name, fromVersion, fromVersion+1, describeChange(change))
	if _, err := alerts.Emit(ctx, q, ev); err != nil {
		return err
	}
	return nil
}

// describeChange says in a few words what a schema change did.
func describeChange(c observability.SchemaChange) string {
	var parts []string
	if len(c.Added) > 0 {
		parts = append(parts, fmt.Sprintf("%d added", len(c.Added)))
	}
	if len(c.Removed) > 0 {
		parts = append(parts, fmt.Sprintf("%d removed", len(c.Removed)))
	}
	if len(c.Retyped) > 0 {
		parts = append(parts, fmt.Sprintf("%d retyped", len(c.Retyped)))
	}
	return strings.Join(parts, ", ") + " columns"
}
