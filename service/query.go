package service

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/sqlguard"
)

// maxSQLLength bounds a statement; longer text is refused before parsing.
const maxSQLLength = 256 << 10

// QueryResult is a bounded query result.
type QueryResult struct {
	*connectors.ResultSet
	Elapsed time.Duration
}

// Query runs one read-only statement on an integration. The statement guard
// refuses anything that is not a single read before it reaches the source;
// the source then runs it read-only with a timeout, returning at most
// maxRows rows (the configured cap when maxRows is 0 or above it).
func (s *Service) Query(ctx context.Context, teamID, id uuid.UUID, sql string, maxRows int) (QueryResult, error) {
	return s.QueryAt(ctx, teamID, id, sql, maxRows, LakeAt{})
}

// QueryAt is Query with a snapshot to read when the integration is the
// team's lake; other integrations have no snapshots and refuse one.
func (s *Service) QueryAt(ctx context.Context, teamID, id uuid.UUID, sql string, maxRows int, at LakeAt) (QueryResult, error) {
	if err := checkSQLText("sql", sql); err != nil {
		return QueryResult{}, err
	}
	if maxRows <= 0 || maxRows > s.opts.QueryMaxRows {
		maxRows = s.opts.QueryMaxRows
	}
	if row, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: id}); err == nil && row.Type == "ducklake" {
		return s.QueryLake(ctx, teamID, sql, maxRows, at)
	}
	if at.Snapshot != nil {
		return QueryResult{}, &InputError{Field: "snapshot", Problem: "applies only to the team's lake"}
	}
	if at.At != nil {
		return QueryResult{}, &InputError{Field: "at", Problem: "applies only to the team's lake"}
	}
	querier, row, release, err := source[connectors.Querier](ctx, s, teamID, id)
	if err != nil {
		return QueryResult{}, err
	}
	defer release()
	dialect := connectors.Dialect(row.Type)
	if d, ok := querier.(connectors.DialectOf); ok {
		dialect = d.Dialect()
	}
	if err := guard(dialect, sql); err != nil {
		return QueryResult{}, err
	}
	free, err := s.reserveQuery(ctx)
	if err != nil {
		return QueryResult{}, err
	}
	defer free()
	start := time.Now()
	rs, err := querier.Query(ctx, sql, connectors.QueryOptions{MaxRows: maxRows, Timeout: s.opts.QueryTimeout,
		MaxBytes: s.opts.QueryMaxBytes, MaxValueBytes: s.opts.QueryValueBytes})
	if err != nil {
		return QueryResult{}, fmt.Errorf("query integration %s: %w", id, err)
	}
	return QueryResult{ResultSet: rs, Elapsed: time.Since(start)}, nil
}

// Scan is Query under the Lytics scan contract: rate limited per team and
// capped at ScanMaxRows.
func (s *Service) Scan(ctx context.Context, teamID, id uuid.UUID, sql string, limit int) (QueryResult, error) {
	if err := checkSQLText("query", sql); err != nil { // the scan body names its SQL "query"
		return QueryResult{}, err
	}
	if limit > s.opts.ScanMaxRows {
		return QueryResult{}, &InputError{Field: "limit", Problem: fmt.Sprintf("must be at most %d", s.opts.ScanMaxRows)}
	}
	if limit <= 0 {
		limit = s.opts.ScanDefaultRows
	}
	if ok, wait := s.scanLimit.Allow(teamID.String()); !ok {
		return QueryResult{}, &RateLimitError{What: "scan requests", RetryAfter: wait}
	}
	return s.Query(ctx, teamID, id, sql, limit)
}

// checkSQLText bounds a statement's text; field names it as the request does.
func checkSQLText(field, sql string) error {
	switch {
	case len(sql) == 0:
		return &InputError{Field: field, Problem: "is required"}
	case len(sql) > maxSQLLength:
		return &InputError{Field: field, Problem: fmt.Sprintf("is longer than %d bytes", maxSQLLength)}
	}
	return nil
}

// guard runs the read-only statement guard. A statement the dialect's real
// parser cannot parse is a syntax error (400) rather than a refusal.
func guard(dialect connectors.Dialect, sql string) error {
	err := sqlguard.Check(dialect, sql)
	if msg, ok := sqlguard.SyntaxMessage(dialect, err); ok {
		return &connectors.QueryError{Kind: connectors.QueryErrSyntax, Message: msg}
	}
	return err
}
