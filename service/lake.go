package service

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/lake"
)

// TeamLake returns the team's lake integration, creating it if the team has
// none yet (teams created before lakes existed get theirs on first use).
func (s *Service) TeamLake(ctx context.Context, teamID uuid.UUID) (db.Integration, error) {
	config, _ := json.Marshal(map[string]any{"catalog_schema": lake.CatalogSchemaFor(teamID)})
	if err := s.queries.IntegrationCreateLake(ctx, db.IntegrationCreateLakeParams{TeamID: teamID, Config: config}); err != nil {
		return db.Integration{}, fmt.Errorf("create team lake: %w", dbError(err))
	}
	row, err := s.queries.IntegrationGetLake(ctx, teamID)
	if err != nil {
		return db.Integration{}, fmt.Errorf("team lake: %w", dbError(err))
	}
	return row, nil
}

// LakeAt selects the snapshot a lake query reads: the current one by default.
type LakeAt struct {
	Snapshot *int64
	At       *time.Time
}

// lakeOf opens (once per process) the team's lake.
func (s *Service) lakeOf(ctx context.Context, teamID uuid.UUID) (*lake.Lake, error) {
	if l, ok := s.lakes.Load(teamID); ok {
		return l.(*lake.Lake), nil
	}
	l, err := s.opts.Lakes.OpenTeam(ctx, s.pool, s.opts.DataDir, teamID)
	if err != nil {
		return nil, err // says which team's lake
	}
	actual, _ := s.lakes.LoadOrStore(teamID, l)
	return actual.(*lake.Lake), nil
}

// QueryLake runs one read-only DuckDB statement over the team's lake at the
// current snapshot, or an older one.
func (s *Service) QueryLake(ctx context.Context, teamID uuid.UUID, sql string, maxRows int, at LakeAt) (QueryResult, error) {
	if err := checkSQLText("sql", sql); err != nil {
		return QueryResult{}, err
	}
	if maxRows <= 0 || maxRows > s.opts.QueryMaxRows {
		maxRows = s.opts.QueryMaxRows
	}
	if err := guard(connectors.DialectDuckDB, sql); err != nil {
		return QueryResult{}, err
	}
	if _, err := s.TeamLake(ctx, teamID); err != nil {
		return QueryResult{}, err
	}
	lk, err := s.lakeOf(ctx, teamID)
	if err != nil {
		return QueryResult{}, err
	}
	release, err := s.reserveQuery(ctx)
	if err != nil {
		return QueryResult{}, err
	}
	defer release()
	start := time.Now()
	rs, err := lk.Query(ctx, sql, lake.QueryOptions{MaxRows: maxRows, Timeout: s.opts.QueryTimeout, Snapshot: at.Snapshot, At: at.At,
		MaxBytes: s.opts.QueryMaxBytes, MaxValueBytes: s.opts.QueryValueBytes})
	if err != nil {
		return QueryResult{}, fmt.Errorf("query lake: %w", err)
	}
	return QueryResult{ResultSet: rs, Elapsed: time.Since(start)}, nil
}
