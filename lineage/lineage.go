// Package lineage reads the lineage graph the team's pipelines reported: from
// one dataset, upstream, downstream or both, to a bounded depth, optionally
// following one column and as of a point in time. The walk is one recursive
// SQL query (db/queries/observability_lineage.sql); this package turns its
// edge rows into nodes and edges.
package lineage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/db"
)

// Directions a walk may take.
const (
	Upstream   = "upstream"
	Downstream = "downstream"
	Both       = "both"
)

// Bounds of a walk.
const (
	DefaultDepth = 3
	MaxDepth     = 20
	// MaxEdges bounds the lineage rows one answer is built from; a graph cut
	// there says so (Graph.Truncated).
	MaxEdges = 5000
)

// Request is one walk from a dataset.
type Request struct {
	DatasetID int64
	Direction string
	// Depth is how many transformations away from the dataset to go.
	Depth int
	// Column, when set, follows that column of the dataset instead of the whole dataset.
	Column string
	// AsOf keeps only lineage first reported at or before it.
	AsOf time.Time
	// Level ColumnLevel adds the column edges (with how each output column
	// derives from its input) to the answer.
	Level string
}

// Node is a dataset or a transformation.
type Node struct {
	ID   string `json:"id"`
	Type string `json:"type"` // dataset or transformation
	Name string `json:"name"`
	// Dataset nodes.
	DatasetType string `json:"ds_type,omitempty"`
	// Transformation nodes: the app and task that run it, its tf_id, the
	// latest run that reported it, and how many transformations away from
	// the start it is (1 = next to it).
	AppName    string     `json:"app_name,omitempty"`
	TaskName   string     `json:"task_name,omitempty"`
	TfID       string     `json:"tf_id,omitempty"`
	LastTaskID string     `json:"last_task_id,omitempty"`
	LastSeenAt *time.Time `json:"last_seen_at,omitempty"`
	Depth      int        `json:"depth,omitempty"`
}

// Edge links a dataset to a transformation that reads it (input) or a
// transformation to the dataset it writes (output). Columns lists the
// columns the edge carries when the walk follows a column.
type Edge struct {
	Source  string   `json:"source"`
	Target  string   `json:"target"`
	Type    string   `json:"type"` // input or output
	Columns []string `json:"columns,omitempty"`
}

// Graph is the answer of a walk.
type Graph struct {
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
	// Truncated means the walk reached MaxEdges lineage rows: the graph
	// holds the nearest ones and there may be more.
	Truncated bool `json:"truncated"`
	// ColumnEdges are the column-level edges, at level=column or when the
	// walk follows a column.
	ColumnEdges []ColumnEdge `json:"column_edges,omitempty"`
	// Columns are the columns a column walk reached besides its start:
	// downstream, every column that depends on it.
	Columns []ColumnRef `json:"columns,omitempty"`
}

// Walk runs the recursive lineage query for one team and builds the graph.
// start is the dataset the walk begins at (always a node of the answer).
func Walk(ctx context.Context, q *db.Queries, teamID uuid.UUID, start db.ObsDataset, req Request) (Graph, error) {
	a, err := q.ObsLineageWalk(ctx, db.ObsLineageWalkParams{
		TeamID: teamID, DatasetID: start.ID, ColumnName: req.Column, Direction: req.Direction,
		MaxDepth: int32(req.Depth), AsOf: req.AsOf, EdgeLimit: MaxEdges,
	})
	if err != nil {
		return Graph{}, fmt.Errorf("walk lineage of %s: %w", start.Name, err)
	}
	if err := checkAnswer(&a); err != nil {
		return Graph{}, fmt.Errorf("walk lineage of %s: %w", start.Name, err)
	}
	b := newBuilder(&a)
	b.dataset(start.ID)
	order := nearestFirst(&a)
	for _, i := range order { // so nodes are listed by distance
		b.add(i)
	}
	g := Graph{Nodes: b.nodes, Edges: b.edgeList(), Truncated: len(a.EdgeIds) >= MaxEdges}
	switch {
	case req.Column != "":
		g.ColumnEdges, g.Columns = columnEdges(&a, order, b.datasetName, ColumnRef{Dataset: start.Name, Column: req.Column})
	case req.Level == ColumnLevel:
		if err := transformationColumnEdges(ctx, q, teamID, &g, req); err != nil {
			return Graph{}, fmt.Errorf("walk lineage of %s: %w", start.Name, err)
		}
	}
	return g, nil
}

// datasetName is the name of a dataset of the answer.
func (b *builder) datasetName(id int64) string {
	if i, ok := b.datasets[id]; ok {
		return b.answer.DatasetNames[i]
	}
	return ""
}

// checkAnswer makes sure the query's parallel arrays are parallel.
func checkAnswer(a *db.ObsLineageWalkRow) error {
	edges, datasets, transformations := len(a.EdgeIds), len(a.DatasetIds), len(a.TransformationIds)
	if len(a.EdgeDepths) != edges || len(a.EdgeTransformationIds) != edges || len(a.EdgeInputIds) != edges ||
		len(a.EdgeOutputIds) != edges || len(a.EdgeInputColumns) != edges || len(a.EdgeOutputColumns) != edges ||
		len(a.EdgeKinds) != edges || len(a.EdgeSources) != edges ||
		len(a.DatasetNames) != datasets || len(a.DatasetTypes) != datasets ||
		len(a.TransformationAppNames) != transformations || len(a.TransformationTaskNames) != transformations ||
		len(a.TransformationTfIds) != transformations || len(a.TransformationLastTaskIds) != transformations ||
		len(a.TransformationLastSeenAts) != transformations {
		return fmt.Errorf("lineage query answered arrays of different lengths")
	}
	return nil
}

// nearestFirst orders the answer's edges by depth, then id: the order the
// query chose them in when it cut at edge_limit.
func nearestFirst(a *db.ObsLineageWalkRow) []int {
	order := make([]int, len(a.EdgeIds))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int {
		return cmp.Or(cmp.Compare(a.EdgeDepths[x], a.EdgeDepths[y]), cmp.Compare(a.EdgeIds[x], a.EdgeIds[y]))
	})
	return order
}

// edgeKey names an answer edge: a dataset and a transformation, and which
// way between them (input: dataset -> transformation).
type edgeKey struct {
	dataset, transformation int64
	output                  bool
}

// builder lists nodes and edges once each, in the order the walk met them.
// Everything is keyed by database ids; node ids are formatted once per node.
type builder struct {
	answer *db.ObsLineageWalkRow
	// datasets and transformations map an id to its place in the answer's
	// arrays; listedDatasets and listedTransformations to its index in
	// nodes, once an edge has reached it.
	datasets, transformations             map[int64]int
	listedDatasets, listedTransformations map[int64]int
	nodes                                 []Node
	edges                                 []Edge
	edgeIndex                             map[edgeKey]int
}

func newBuilder(a *db.ObsLineageWalkRow) *builder {
	b := &builder{answer: a,
		datasets: make(map[int64]int, len(a.DatasetIds)), transformations: make(map[int64]int, len(a.TransformationIds)),
		listedDatasets: make(map[int64]int, len(a.DatasetIds)), listedTransformations: make(map[int64]int, len(a.TransformationIds)),
		nodes: make([]Node, 0, len(a.DatasetIds)+len(a.TransformationIds)),
		edges: make([]Edge, 0, 2*len(a.EdgeIds)), edgeIndex: make(map[edgeKey]int, 2*len(a.EdgeIds))}
	for i, id := range a.DatasetIds {
		b.datasets[id] = i
	}
	for i, id := range a.TransformationIds {
		b.transformations[id] = i
	}
	return b
}

func datasetNodeID(id int64) string        { return "dataset:" + strconv.FormatInt(id, 10) }
func transformationNodeID(id int64) string { return "transformation:" + strconv.FormatInt(id, 10) }

// list appends a node met for the first time and returns its index.
func (b *builder) list(listed map[int64]int, id int64, n Node) int {
	listed[id] = len(b.nodes)
	b.nodes = append(b.nodes, n)
	return len(b.nodes) - 1
}

func (b *builder) dataset(id int64) int {
	if at, ok := b.listedDatasets[id]; ok {
		return at
	}
	n := Node{ID: datasetNodeID(id), Type: "dataset"}
	if i, ok := b.datasets[id]; ok { // always, for a walked edge
		n.Name, n.DatasetType = b.answer.DatasetNames[i], b.answer.DatasetTypes[i]
	}
	return b.list(b.listedDatasets, id, n)
}

// transformation lists a transformation and keeps the smallest depth it is
// met at.
func (b *builder) transformation(id int64, depth int) int {
	if at, ok := b.listedTransformations[id]; ok {
		b.nodes[at].Depth = min(b.nodes[at].Depth, depth)
		return at
	}
	n := Node{ID: transformationNodeID(id), Type: "transformation", Depth: depth}
	if i, ok := b.transformations[id]; ok {
		a := b.answer
		n.AppName, n.TaskName, n.TfID = a.TransformationAppNames[i], a.TransformationTaskNames[i], a.TransformationTfIds[i]
		n.Name = n.AppName + "/" + n.TaskName + "/" + n.TfID
		n.LastTaskID, n.LastSeenAt = a.TransformationLastTaskIds[i], &a.TransformationLastSeenAts[i]
	}
	return b.list(b.listedTransformations, id, n)
}

// add lists the answer's i-th edge: input dataset -> transformation -> output dataset.
func (b *builder) add(i int) {
	a := b.answer
	tfID, inID, outID := a.EdgeTransformationIds[i], a.EdgeInputIds[i], a.EdgeOutputIds[i]
	in := b.dataset(inID)
	tf := b.transformation(tfID, int(a.EdgeDepths[i]))
	out := b.dataset(outID)
	b.edge(edgeKey{dataset: inID, transformation: tfID}, in, tf, a.EdgeInputColumns[i])
	b.edge(edgeKey{dataset: outID, transformation: tfID, output: true}, tf, out, a.EdgeOutputColumns[i])
}

// edge lists the edge from node source to node target once, gathering the
// columns it carries.
func (b *builder) edge(key edgeKey, source, target int, column string) {
	i, ok := b.edgeIndex[key]
	if !ok {
		i = len(b.edges)
		b.edgeIndex[key] = i
		typ := "input"
		if key.output {
			typ = "output"
		}
		b.edges = append(b.edges, Edge{Source: b.nodes[source].ID, Target: b.nodes[target].ID, Type: typ})
	}
	if column != "" && !slices.Contains(b.edges[i].Columns, column) {
		b.edges[i].Columns = append(b.edges[i].Columns, column)
	}
}

// edgeList returns the edges with their columns sorted, for stable answers.
func (b *builder) edgeList() []Edge {
	for i := range b.edges {
		slices.Sort(b.edges[i].Columns)
	}
	return b.edges
}
