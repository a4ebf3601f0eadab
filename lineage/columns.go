package lineage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/db"
)

// Levels of an answer.
const (
	DatasetLevel = "dataset"
	ColumnLevel  = "column"
)

// ColumnEdge is one column-level edge: an input dataset's column feeds an
// output dataset's column through a transformation.
type ColumnEdge struct {
	// Transformation is the transformation node's id.
	Transformation string `json:"transformation"`
	InputDataset   string `json:"input_dataset"`
	InputColumn    string `json:"input_column"`
	OutputDataset  string `json:"output_dataset"`
	// OutputColumn is empty when the reporter named the input column but not
	// which output column it feeds.
	OutputColumn string `json:"output_column"`
	// Kind is identity, transformation, aggregation or indirect; empty when
	// the reporter did not say.
	Kind string `json:"kind"`
	// Source is reported, sql (read from the transformation's SQL), or both.
	Source string `json:"source"`
	// Depth is how many transformations away from the start the edge is
	// (0 in a dataset-level walk's column level).
	Depth int `json:"depth"`
}

// ColumnRef is a column a column walk reached: for a downstream walk, the
// columns that depend on the start column (its impact). Column "*" stands
// for every column of the dataset: an input column that decides all its
// rows (a filter, join or grouping column), or lineage reported without
// saying which column it feeds.
type ColumnRef struct {
	Dataset string `json:"dataset"`
	Column  string `json:"column"`
	Depth   int    `json:"depth"`
}

// columnEdges lists the answer's column edges nearest first, and the
// columns they reach other than start.
func columnEdges(a *db.ObsLineageWalkRow, order []int, names func(int64) string, start ColumnRef) ([]ColumnEdge, []ColumnRef) {
	var edges []ColumnEdge
	reached := map[ColumnRef]int{} // column (depth 0) -> its index in refs
	var refs []ColumnRef
	reach := func(dataset, column string, depth int) {
		if column == "" {
			column = "*"
		}
		key := ColumnRef{Dataset: dataset, Column: column}
		if key == start || (column == "*" && dataset == start.Dataset) {
			return
		}
		if i, ok := reached[key]; ok {
			refs[i].Depth = min(refs[i].Depth, depth)
			return
		}
		reached[key] = len(refs)
		key.Depth = depth
		refs = append(refs, key)
	}
	for _, i := range order {
		if a.EdgeInputColumns[i] == "" { // the walk went on at dataset level
			reach(names(a.EdgeInputIds[i]), "*", int(a.EdgeDepths[i]))
			reach(names(a.EdgeOutputIds[i]), "*", int(a.EdgeDepths[i]))
			continue
		}
		e := ColumnEdge{Transformation: transformationNodeID(a.EdgeTransformationIds[i]),
			InputDataset: names(a.EdgeInputIds[i]), InputColumn: a.EdgeInputColumns[i],
			OutputDataset: names(a.EdgeOutputIds[i]), OutputColumn: a.EdgeOutputColumns[i],
			Kind: a.EdgeKinds[i], Source: a.EdgeSources[i], Depth: int(a.EdgeDepths[i])}
		edges = append(edges, e)
		reach(e.InputDataset, e.InputColumn, e.Depth)
		reach(e.OutputDataset, e.OutputColumn, e.Depth)
	}
	return edges, refs
}

// transformationColumnEdges reads the column edges of the transformations a
// dataset-level walk met: the column level of its answer.
func transformationColumnEdges(ctx context.Context, q *db.Queries, teamID uuid.UUID, g *Graph, req Request) error {
	var ids []int64
	for _, n := range g.Nodes {
		if n.Type != "transformation" {
			continue
		}
		id, err := strconv.ParseInt(n.ID[len("transformation:"):], 10, 64)
		if err != nil {
			return fmt.Errorf("read transformation node id %q: %w", n.ID, err)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := q.ObsLineageColumnEdgesOf(ctx, db.ObsLineageColumnEdgesOfParams{
		TeamID: teamID, TransformationIds: ids, AsOf: req.AsOf, EdgeLimit: MaxEdges,
	})
	if err != nil {
		return fmt.Errorf("read column edges: %w", err)
	}
	g.ColumnEdges = make([]ColumnEdge, 0, len(rows))
	for _, r := range rows {
		g.ColumnEdges = append(g.ColumnEdges, ColumnEdge{Transformation: transformationNodeID(r.TransformationID),
			InputDataset: r.InputName, InputColumn: r.InputColumn, OutputDataset: r.OutputName, OutputColumn: r.OutputColumn,
			Kind: r.Kind, Source: r.Source})
	}
	slices.SortStableFunc(g.ColumnEdges, func(x, y ColumnEdge) int {
		return cmp.Or(cmp.Compare(x.OutputDataset, y.OutputDataset), cmp.Compare(x.OutputColumn, y.OutputColumn),
			cmp.Compare(x.InputDataset, y.InputDataset), cmp.Compare(x.InputColumn, y.InputColumn))
	})
	g.Truncated = g.Truncated || len(rows) >= MaxEdges
	return nil
}

func (e *ColumnEdge) appendJSON(dst []byte) []byte {
	dst = appendField(dst, `{"transformation":`, e.Transformation)
	dst = appendField(dst, `,"input_dataset":`, e.InputDataset)
	dst = appendField(dst, `,"input_column":`, e.InputColumn)
	dst = appendField(dst, `,"output_dataset":`, e.OutputDataset)
	dst = appendField(dst, `,"output_column":`, e.OutputColumn)
	dst = appendField(dst, `,"kind":`, e.Kind)
	dst = appendField(dst, `,"source":`, e.Source)
	dst = strconv.AppendInt(append(dst, `,"depth":`...), int64(e.Depth), 10)
	return append(dst, '}')
}

func (c *ColumnRef) appendJSON(dst []byte) []byte {
	dst = appendField(dst, `{"dataset":`, c.Dataset)
	dst = appendField(dst, `,"column":`, c.Column)
	dst = strconv.AppendInt(append(dst, `,"depth":`...), int64(c.Depth), 10)
	return append(dst, '}')
}
