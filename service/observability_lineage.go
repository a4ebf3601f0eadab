package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/lineage"
	"github.com/sluice-dev/sluice/observability"
)

// LineageRequest asks for the lineage of one dataset.
type LineageRequest struct {
	Dataset   string
	Direction string // upstream, downstream or both (the default)
	Depth     int    // 0 means lineage.DefaultDepth
	Column    string
	// Level is dataset (the default) or column: column adds the column
	// edges, each with its derivation kind.
	Level string
	// At, when set, shows lineage as it had been reported by then.
	At *time.Time
}

// Lineage walks the team's lineage graph from a dataset: datasets and
// transformations as nodes, across apps, column-level when a column is
// given, as of a point in time when one is given.
func (s *Service) Lineage(ctx context.Context, teamID uuid.UUID, in LineageRequest) (lineage.Graph, error) {
	if dot := strings.LastIndexByte(in.Column, '.'); in.Dataset == "" && dot > 0 {
		// column=shared_db.table_a.event_type names the dataset too.
		in.Dataset, in.Column = in.Column[:dot], in.Column[dot+1:]
	}
	if err := checkText(
		textRule{field: "dataset", value: in.Dataset, max: observability.MaxDatasetName, required: true},
		textRule{field: "column", value: in.Column, max: observability.MaxNameLength},
	); err != nil {
		return lineage.Graph{}, err
	}
	req := lineage.Request{Direction: in.Direction, Depth: in.Depth, Column: in.Column, Level: in.Level, AsOf: orTime(in.At, endOfTime)}
	switch req.Level {
	case "", lineage.DatasetLevel, lineage.ColumnLevel:
	default:
		return lineage.Graph{}, &InputError{Field: "level", Problem: fmt.Sprintf("%q is not dataset or column", in.Level)}
	}
	switch req.Direction {
	case "":
		req.Direction = lineage.Both
	case lineage.Upstream, lineage.Downstream, lineage.Both:
	default:
		return lineage.Graph{}, &InputError{Field: "direction", Problem: fmt.Sprintf("%q is not upstream, downstream or both", in.Direction)}
	}
	switch {
	case req.Depth == 0:
		req.Depth = lineage.DefaultDepth
	case req.Depth < 1 || req.Depth > lineage.MaxDepth:
		return lineage.Graph{}, &InputError{Field: "depth", Problem: fmt.Sprintf("must be between 1 and %d", lineage.MaxDepth)}
	}
	start, err := s.queries.ObsDatasetGet(ctx, db.ObsDatasetGetParams{TeamID: teamID, Name: in.Dataset})
	if errors.Is(err, pgx.ErrNoRows) {
		return lineage.Graph{}, &MissingError{What: fmt.Sprintf("dataset %q not found", in.Dataset)}
	}
	if err != nil {
		return lineage.Graph{}, fmt.Errorf("get dataset %s: %w", in.Dataset, dbError(err))
	}
	req.DatasetID = start.ID
	g, err := lineage.Walk(ctx, s.queries, teamID, start, req)
	if err != nil {
		return lineage.Graph{}, dbError(err)
	}
	return g, nil
}
