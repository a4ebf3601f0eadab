package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/cube"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/semantic"
)

// cubeType and lakeType are the integration types cube queries treat specially.
const (
	cubeType = "cube"
	lakeType = "ducklake"
)

// CubeResult is the answer to a cube query, in the shape of Cube's /load.
type CubeResult struct {
	// Forwarded is Cube's own answer, for cube integrations; the other
	// fields are then empty.
	Forwarded  json.RawMessage
	Data       []map[string]any
	Annotation semantic.Annotation
	Query      semantic.NormalizedQuery
	SQL        string
	Dialect    connectors.Dialect
	Elapsed    time.Duration
	// Truncated and TruncatedReason are the SQL answer's (see
	// connectors.ResultSet): the row limit, the byte budget or a cut value.
	Truncated       bool
	TruncatedReason string
}

// CubeQuery answers a query in Cube's format. On a cube integration it is
// forwarded to the Cube deployment; on any other it is compiled against the
// integration's data model into its SQL dialect, checked by the read-only
// guard and run like /v1/query. With no integration id it runs on the
// team's lake.
func (s *Service) CubeQuery(ctx context.Context, teamID uuid.UUID, integrationID *uuid.UUID, raw json.RawMessage) (CubeResult, error) {
	row, err := s.cubeQueryTarget(ctx, teamID, integrationID)
	if err != nil {
		return CubeResult{}, err
	}
	if row.Type == cubeType {
		return s.forwardToCube(ctx, teamID, row.ID, raw)
	}
	if isAPISource(row.Type) {
		return CubeResult{}, notSupportedOn("cube queries", row.Type)
	}
	q, err := semantic.ParseQuery(raw)
	if err != nil {
		return CubeResult{}, queryError(err)
	}
	model, err := s.loadModel(ctx, teamID, row.ID)
	if err != nil {
		return CubeResult{}, err
	}
	dialect, err := s.dialectOf(ctx, teamID, row)
	if err != nil {
		return CubeResult{}, err
	}
	if !semantic.Supports(dialect) {
		return CubeResult{}, &NotSupportedError{What: fmt.Sprintf("cube queries on %s integrations", row.Type),
			Instead: "Cube queries compile for postgres, redshift, mysql, sqlserver, bigquery, snowflake and the team's lake: upload the model to an integration of one of those types."}
	}
	compiled, err := semantic.Compile(model, q, semantic.Options{Dialect: dialect})
	if err != nil {
		return CubeResult{}, queryError(err)
	}
	if compiled.Query.Limit > s.opts.QueryMaxRows {
		return CubeResult{}, &SemanticError{Code: "invalid_query", Field: "cube_query.limit",
			Message: fmt.Sprintf("limit %d is above this server's row cap of %d (SLUICE_QUERY_MAX_ROWS)", compiled.Query.Limit, s.opts.QueryMaxRows)}
	}
	// Query runs the read-only guard on the generated SQL again: the model's
	// own SQL fragments are written by people and could hold anything.
	res, err := s.Query(ctx, teamID, row.ID, compiled.SQL, compiled.Query.Limit)
	if err != nil {
		return CubeResult{}, err
	}
	data, err := compiled.Rows(res.ResultSet)
	if err != nil {
		return CubeResult{}, fmt.Errorf("shape cube query result: %w", err)
	}
	return CubeResult{Data: data, Annotation: compiled.Annotation, Query: compiled.Query, SQL: compiled.SQL,
		Dialect: dialect, Elapsed: res.Elapsed, Truncated: res.Truncated, TruncatedReason: res.TruncatedReason}, nil
}

// cubeQueryTarget finds the integration a cube query runs on: the one
// named, or the team's lake.
func (s *Service) cubeQueryTarget(ctx context.Context, teamID uuid.UUID, id *uuid.UUID) (db.Integration, error) {
	if id != nil {
		row, err := s.queries.IntegrationGet(ctx, db.IntegrationGetParams{TeamID: teamID, ID: *id})
		if err != nil {
			return db.Integration{}, fmt.Errorf("integration %s: %w", *id, dbError(err))
		}
		return row, nil
	}
	lakeFilter := lakeType
	lakes, err := s.queries.IntegrationList(ctx, db.IntegrationListParams{TeamID: teamID, Type: &lakeFilter})
	if err != nil {
		return db.Integration{}, fmt.Errorf("find the team's lake: %w", dbError(err))
	}
	if len(lakes) == 0 {
		return db.Integration{}, &InputError{Field: "integration_id", Problem: "is required: the team has no lake yet to query by default"}
	}
	return lakes[0], nil
}

// dialectOf is the SQL dialect of an integration's source.
func (s *Service) dialectOf(ctx context.Context, teamID uuid.UUID, row db.Integration) (connectors.Dialect, error) {
	if row.Type == lakeType {
		return connectors.DialectDuckDB, nil
	}
	conn, _, release, err := source[connectors.Connector](ctx, s, teamID, row.ID)
	if err != nil {
		return "", err
	}
	defer release()
	if d, ok := conn.(connectors.DialectOf); ok {
		return d.Dialect(), nil
	}
	return connectors.Dialect(row.Type), nil
}

// forwardToCube sends the query to a cube integration's deployment.
func (s *Service) forwardToCube(ctx context.Context, teamID, id uuid.UUID, raw json.RawMessage) (CubeResult, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil {
		return CubeResult{}, &SemanticError{Code: "invalid_query", Field: "cube_query", Message: "cube_query must be a JSON object"}
	}
	loader, _, release, err := source[cube.Loader](ctx, s, teamID, id)
	if err != nil {
		return CubeResult{}, err
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, s.opts.QueryTimeout)
	defer cancel()
	start := time.Now()
	answer, err := loader.Load(ctx, raw)
	if err != nil {
		return CubeResult{}, fmt.Errorf("cube query on integration %s: %w", id, err)
	}
	return CubeResult{Forwarded: answer, Elapsed: time.Since(start)}, nil
}

// queryError turns the compiler's refusals into SemanticErrors under cube_query.
func queryError(err error) error {
	var qe *semantic.QueryError
	if errors.As(err, &qe) {
		field := "cube_query"
		if qe.Field != "" {
			field += "." + qe.Field
		}
		return &SemanticError{Code: "invalid_query", Field: field, Message: qe.Error()}
	}
	return fmt.Errorf("compile cube query: %w", err)
}
