// Package lineage reads the lineage graph the team's pipelines reported: from
// one dataset, upstream, downstream or both, to a bounded depth, optionally
// following one column and as of a point in time. The walk is one recursive
// SQL query (db/queries/observability_lineage.sql); this package turns its
// edge rows into nodes and edges.
package lineage

import (
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
}

// Walk runs the recursive lineage query for one team and builds the graph.
// start is the dataset the walk begins at (always a node of the answer).
func Walk(ctx context.Context, q *db.Queries, teamID uuid.UUID, start db.ObsDataset, req Request) (Graph, error) {
	rows, err := q.ObsLineageWalk(ctx, db.ObsLineageWalkParams{
		TeamID: teamID, DatasetID: start.ID, ColumnName: req.Column, Direction: req.Direction,
		MaxDepth: int32(req.Depth), AsOf: req.AsOf, EdgeLimit: MaxEdges,
	})
	if err != nil {
		return Graph{}, fmt.Errorf("walk lineage of %s: %w", start.Name, err)
	}
	b := newBuilder(len(rows))
	edges := 0
	for i := range rows {
		r := &rows[i]
		switch r.Kind {
		case "edge":
			edges++
		case "dataset":
			b.datasets[r.ID] = nodeRef{row: r, index: -1}
		case "transformation":
			b.transformations[r.ID] = nodeRef{row: r, index: -1}
		}
	}
	b.dataset(start.ID)
	for i := range rows { // edges come first, nearest first, so nodes are listed by distance
		if rows[i].Kind == "edge" {
			b.add(&rows[i])
		}
	}
	return Graph{Nodes: b.nodes, Edges: b.edgeList(), Truncated: edges >= MaxEdges}, nil
}

// nodeRef is a node the query returned: its row, and its index in the
// answer's node list once an edge has reached it (-1 before).
type nodeRef struct {
	row   *db.ObsLineageWalkRow
	index int
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
	datasets        map[int64]nodeRef
	transformations map[int64]nodeRef
	nodes           []Node
	edges           []Edge
	edgeIndex       map[edgeKey]int
}

func newBuilder(rows int) *builder {
	return &builder{datasets: make(map[int64]nodeRef, rows/4), transformations: make(map[int64]nodeRef, rows/4),
		nodes: make([]Node, 0, rows/2), edges: make([]Edge, 0, rows), edgeIndex: make(map[edgeKey]int, rows)}
}

func datasetNodeID(id int64) string        { return "dataset:" + strconv.FormatInt(id, 10) }
func transformationNodeID(id int64) string { return "transformation:" + strconv.FormatInt(id, 10) }

// dataset lists a dataset the first time it is met and returns its node index.
func (b *builder) dataset(id int64) int {
	ref, ok := b.datasets[id]
	if ok && ref.index >= 0 {
		return ref.index
	}
	n := Node{ID: datasetNodeID(id), Type: "dataset"}
	if ok {
		n.Name, n.DatasetType = ref.row.Name, ref.row.DsType
	} // else not returned by the query (cannot happen for a walked edge)
	ref.index = len(b.nodes)
	b.nodes = append(b.nodes, n)
	b.datasets[id] = ref
	return ref.index
}

// transformation lists a transformation the first time it is met, keeps
// the smallest depth it is met at, and returns its node index.
func (b *builder) transformation(id int64, depth int) int {
	ref, ok := b.transformations[id]
	if ok && ref.index >= 0 {
		b.nodes[ref.index].Depth = min(b.nodes[ref.index].Depth, depth)
		return ref.index
	}
	n := Node{ID: transformationNodeID(id), Type: "transformation", Depth: depth}
	if ok {
		r := ref.row
		seen := r.LastSeenAt
		n.Name = r.AppName + "/" + r.TaskName + "/" + r.TfID
		n.AppName, n.TaskName, n.TfID, n.LastTaskID, n.LastSeenAt = r.AppName, r.TaskName, r.TfID, r.LastTaskID, &seen
	}
	ref.index = len(b.nodes)
	b.nodes = append(b.nodes, n)
	b.transformations[id] = ref
	return ref.index
}

func (b *builder) add(r *db.ObsLineageWalkRow) {
	in := b.dataset(r.InputDatasetID)
	tf := b.transformation(r.TransformationID, int(r.Depth))
	out := b.dataset(r.OutputDatasetID)
	b.edge(edgeKey{dataset: r.InputDatasetID, transformation: r.TransformationID}, in, tf, r.InputColumn)
	b.edge(edgeKey{dataset: r.OutputDatasetID, transformation: r.TransformationID, output: true}, tf, out, r.OutputColumn)
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
