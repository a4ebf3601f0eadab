package service

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/syncspec"
)

// Every lake table has one owner: the sync configuration that writes it
// (lake_table_owners). Saving a sync claims the tables its exact names write
// and releases those it no longer selects; a run claims what its globs
// select when it plans them (activities). Two configurations writing the
// same table would silently replace each other's rows.

// claimSyncTables claims, with q (the transaction saving cfg), the lake
// tables cfg's exact table names write, after releasing the tables cfg owns
// but no longer selects (another dest_schema, a name taken out). A table
// another configuration owns is a ConflictError naming it and the owner.
func (s *Service) claimSyncTables(ctx context.Context, q *db.Queries, cfg db.SyncConfig, tables []syncspec.TableSpec) error {
	var sels []syncspec.TableSelector
	for _, t := range tables {
		if sel, err := syncspec.ParseTableSelector(t.Name); err == nil {
			sels = append(sels, sel)
		}
	}
	if err := releaseUnselected(ctx, q, cfg, sels); err != nil {
		return err
	}
	// Claimed in name order, so two saves claiming the same tables wait for
	// each other rather than deadlock. Globs are claimed when a run plans them.
	exact := slices.DeleteFunc(slices.Clone(sels), syncspec.TableSelector.IsGlob)
	slices.SortFunc(exact, func(a, b syncspec.TableSelector) int {
		return strings.Compare(syncspec.DestTableName(a.Pattern), syncspec.DestTableName(b.Pattern))
	})
	for _, sel := range exact {
		owner, err := q.LakeTableClaim(ctx, db.LakeTableClaimParams{
			TeamID: cfg.TeamID, DestSchema: cfg.DestSchema, DestTable: syncspec.DestTableName(sel.Pattern),
			ConfigID: cfg.ID, IntegrationID: cfg.IntegrationID, SourceTable: sel.String(),
		})
		if err != nil {
			return fmt.Errorf("claim lake table %s.%s: %w", cfg.DestSchema, syncspec.DestTableName(sel.Pattern), dbError(err))
		}
		if owner.ConfigID != cfg.ID {
			return s.ownedElsewhere(ctx, q, owner)
		}
	}
	return nil
}

// releaseUnselected releases the tables cfg owns that its selectors no
// longer select into its dest_schema.
func releaseUnselected(ctx context.Context, q *db.Queries, cfg db.SyncConfig, sels []syncspec.TableSelector) error {
	owned, err := q.LakeTableListByConfig(ctx, db.LakeTableListByConfigParams{TeamID: cfg.TeamID, ConfigID: cfg.ID})
	if err != nil {
		return fmt.Errorf("list owned lake tables: %w", dbError(err))
	}
	release := map[string][]string{}
	for _, o := range owned {
		schema, name, _ := strings.Cut(o.SourceTable, ".")
		selected := slices.ContainsFunc(sels, func(sel syncspec.TableSelector) bool { return sel.Matches(schema, name) })
		if !selected || !strings.EqualFold(o.DestSchema, cfg.DestSchema) {
			release[o.DestSchema] = append(release[o.DestSchema], o.DestTable)
		}
	}
	for _, schema := range slices.Sorted(maps.Keys(release)) {
		if err := q.LakeTableRelease(ctx, db.LakeTableReleaseParams{TeamID: cfg.TeamID, ConfigID: cfg.ID, DestSchema: schema, DestTables: release[schema]}); err != nil {
			return fmt.Errorf("release lake tables of %s: %w", schema, dbError(err))
		}
	}
	return nil
}

// ownedElsewhere is the 409 for a table owner holds, naming its integration.
func (s *Service) ownedElsewhere(ctx context.Context, q *db.Queries, owner db.LakeTableOwner) error {
	name := owner.IntegrationID.String()
	if row, err := q.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: owner.TeamID, ID: owner.IntegrationID}); err == nil {
		name = row.Name
	}
	return &ConflictError{What: syncspec.OwnedElsewhere(owner.DestSchema, owner.DestTable, name, owner.IntegrationID.String())}
}

// DropSyncTablesResult lists the lake tables a deleted sync dropped.
type DropSyncTablesResult struct {
	Dropped    []string
	SnapshotID int64
}

// DeleteSyncConfigDroppingTables drops the lake tables the integration's
// sync owns, in one new lake snapshot (their files stay until maintenance
// removes them), then deletes the configuration as DeleteSyncConfig does.
// If the drop fails nothing is deleted; if the delete fails after it, the
// tables are gone and asking again deletes the configuration.
func (s *Service) DeleteSyncConfigDroppingTables(ctx context.Context, teamID, integrationID uuid.UUID) (DropSyncTablesResult, error) {
	cfg, err := s.queries.SyncConfigGetByIntegration(ctx, db.SyncConfigGetByIntegrationParams{TeamID: teamID, IntegrationID: integrationID})
	if err != nil {
		return DropSyncTablesResult{}, fmt.Errorf("sync config of %s: %w", integrationID, dbError(err))
	}
	owned, err := s.queries.LakeTableListByConfig(ctx, db.LakeTableListByConfigParams{TeamID: teamID, ConfigID: cfg.ID})
	if err != nil {
		return DropSyncTablesResult{}, fmt.Errorf("list owned lake tables: %w", dbError(err))
	}
	var out DropSyncTablesResult
	if len(owned) > 0 {
		lk, err := s.lakeOf(ctx, teamID)
		if err != nil {
			return out, err
		}
		refs := make([]connectors.TableRef, len(owned))
		for i, o := range owned {
			refs[i] = connectors.TableRef{Schema: o.DestSchema, Name: o.DestTable}
		}
		res, err := lk.DropTables(ctx, refs)
		if err != nil {
			return out, fmt.Errorf("drop the lake tables of the sync: %w", err)
		}
		out = DropSyncTablesResult{Dropped: res.Dropped, SnapshotID: res.SnapshotID}
	}
	return out, s.DeleteSyncConfig(ctx, teamID, integrationID)
}
