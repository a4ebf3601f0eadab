// Package lake is the service side of a team's lake that is not a query:
// browsing its tables and snapshots, and its maintenance (compaction,
// snapshot expiry, file removal) as a Temporal workflow on a per-team
// schedule. It is its own package with a small struct, per DESIGN.md, so
// the big service.Service does not grow.
package lake

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/lake"
	"github.com/sluice-dev/sluice/service"
	"github.com/sluice-dev/sluice/workflows"
)

// Options configure the lake service.
type Options struct {
	// DataDir holds the teams' lake files (under lake/<team id>).
	DataDir string
	// Lakes is where the teams' lakes keep their files when SLUICE_LAKE_URL
	// is set; nil is DataDir/lake.
	Lakes *lake.Location
	// TaskQueue is where maintenance workflows run; empty means workflows.TaskQueue.
	TaskQueue string
	// MaintenanceInterval is how often each team's schedule runs
	// maintenance; zero means DefaultMaintenanceInterval.
	MaintenanceInterval time.Duration
}

// DefaultMaintenanceInterval runs each lake's maintenance once a day.
const DefaultMaintenanceInterval = 24 * time.Hour

// Page bounds of the browsing answers.
const (
	MaxTables           = 1000
	DefaultSnapshotPage = 50
	MaxSnapshotPage     = 500
)

// Service browses and maintains teams' lakes.
type Service struct {
	pool     *pgxpool.Pool
	queries  *db.Queries
	temporal client.Client
	opts     Options
	lakes    sync.Map // team id → *lake.Lake
}

// New builds the lake service; temporal may be nil where nothing is
// scheduled or started (browsing only).
func New(pool *pgxpool.Pool, temporal client.Client, opts Options) *Service {
	if opts.TaskQueue == "" {
		opts.TaskQueue = workflows.TaskQueue
	}
	if opts.MaintenanceInterval <= 0 {
		opts.MaintenanceInterval = DefaultMaintenanceInterval
	}
	return &Service{pool: pool, queries: db.New(pool), temporal: temporal, opts: opts}
}

// lakeOf opens (once per process) the team's lake.
func (s *Service) lakeOf(ctx context.Context, teamID uuid.UUID) (*lake.Lake, error) {
	if l, ok := s.lakes.Load(teamID); ok {
		return l.(*lake.Lake), nil
	}
	l, err := s.opts.Lakes.OpenTeam(ctx, s.pool, s.opts.DataDir, teamID)
	if err != nil {
		return nil, err
	}
	actual, _ := s.lakes.LoadOrStore(teamID, l)
	return actual.(*lake.Lake), nil
}

// Owner is the sync configuration that writes a lake table.
type Owner struct {
	ConfigID        uuid.UUID `json:"config_id"`
	IntegrationID   uuid.UUID `json:"integration_id"`
	IntegrationName string    `json:"integration_name"`
}

// Table is a lake table as the API shows it.
type Table struct {
	lake.TableInfo
	// Owner is nil for a table no configuration owns (its configuration
	// was deleted; the lake keeps the table).
	Owner   *Owner              `json:"owner"`
	Columns []connectors.Column `json:"columns,omitempty"`
}

// TableList is the team's lake tables, at most MaxTables of them.
type TableList struct {
	Tables    []Table `json:"tables"`
	Truncated bool    `json:"truncated"`
}

// Tables lists every current table of the team's lake with its owner.
func (s *Service) Tables(ctx context.Context, teamID uuid.UUID) (TableList, error) {
	lk, err := s.lakeOf(ctx, teamID)
	if err != nil {
		return TableList{}, err
	}
	infos, more, err := lk.TableInfos(ctx, MaxTables)
	if err != nil {
		return TableList{}, err
	}
	owners, err := s.owners(ctx, teamID)
	if err != nil {
		return TableList{}, err
	}
	out := TableList{Tables: make([]Table, len(infos)), Truncated: more}
	for i, ti := range infos {
		out.Tables[i] = Table{TableInfo: ti, Owner: owners[ownerKey(ti.Schema, ti.Name)]}
	}
	return out, nil
}

// Table describes one table, named "schema.table", with its columns.
func (s *Service) Table(ctx context.Context, teamID uuid.UUID, name string) (Table, error) {
	schema, table, ok := strings.Cut(name, ".")
	if !ok || schema == "" || table == "" || len(name) > 255 || !utf8.ValidString(name) || strings.ContainsRune(name, 0) {
		return Table{}, &service.InputError{Field: "table", Problem: "must be schema.table, e.g. postgres_data.users"}
	}
	lk, err := s.lakeOf(ctx, teamID)
	if err != nil {
		return Table{}, err
	}
	ti, cols, err := lk.TableInfoOf(ctx, schema, table)
	if err != nil {
		return Table{}, err
	}
	owners, err := s.owners(ctx, teamID)
	if err != nil {
		return Table{}, err
	}
	return Table{TableInfo: ti, Owner: owners[ownerKey(ti.Schema, ti.Name)], Columns: cols}, nil
}

func ownerKey(schema, table string) string { return strings.ToLower(schema) + "\x00" + table }

// owners maps the team's lake tables to their owners.
func (s *Service) owners(ctx context.Context, teamID uuid.UUID) (map[string]*Owner, error) {
	rows, err := s.queries.LakeTableOwnerListByTeam(ctx, teamID)
	if err != nil {
		return nil, fmt.Errorf("read lake table owners: %w", err)
	}
	out := make(map[string]*Owner, len(rows))
	for _, r := range rows {
		out[ownerKey(r.DestSchema, r.DestTable)] = &Owner{ConfigID: r.ConfigID, IntegrationID: r.IntegrationID, IntegrationName: r.IntegrationName}
	}
	return out, nil
}

// SnapshotList is one page of snapshots, newest first; NextBefore, when
// set, asks for the next (older) page.
type SnapshotList struct {
	Snapshots  []lake.SnapshotInfo `json:"snapshots"`
	NextBefore *int64              `json:"next_before"`
}

// Snapshots lists up to limit snapshots older than before (all when nil).
func (s *Service) Snapshots(ctx context.Context, teamID uuid.UUID, before *int64, limit int) (SnapshotList, error) {
	switch {
	case limit == 0:
		limit = DefaultSnapshotPage
	case limit < 0 || limit > MaxSnapshotPage:
		return SnapshotList{}, &service.InputError{Field: "limit", Problem: fmt.Sprintf("must be between 1 and %d", MaxSnapshotPage)}
	}
	if before != nil && *before < 0 {
		return SnapshotList{}, &service.InputError{Field: "before", Problem: "must be a snapshot id (0 or more)"}
	}
	lk, err := s.lakeOf(ctx, teamID)
	if err != nil {
		return SnapshotList{}, err
	}
	page, err := lk.SnapshotPage(ctx, before, limit+1)
	if err != nil {
		return SnapshotList{}, err
	}
	out := SnapshotList{Snapshots: page}
	if len(page) > limit {
		out.Snapshots = page[:limit]
		next := page[limit-1].ID
		out.NextBefore = &next
	}
	if out.Snapshots == nil {
		out.Snapshots = []lake.SnapshotInfo{}
	}
	return out, nil
}
