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
	b := newBuilder()
	var edges []db.ObsLineageWalkRow
	for _, r := range rows {
		switch r.Kind {
		case "edge":
			edges = append(edges, r)
		case "dataset":
			b.datasets[r.ID] = Node{ID: datasetNodeID(r.ID), Type: "dataset", Name: r.Name, DatasetType: r.DsType}
		case "transformation":
			seen := r.LastSeenAt
			b.transformations[r.ID] = Node{ID: transformationNodeID(r.ID), Type: "transformation",
				Name: r.AppName + "/" + r.TaskName + "/" + r.TfID, AppName: r.AppName, TaskName: r.TaskName, TfID: r.TfID,
				LastTaskID: r.LastTaskID, LastSeenAt: &seen}
		}
	}
	b.dataset(start.ID)
	for _, e := range edges { // nearest first, so nodes are listed by distance
		b.add(e)
	}
	return Graph{Nodes: b.nodes, Edges: b.edgeList(), Truncated: len(edges) >= MaxEdges}, nil
}

// builder lists nodes and edges once each, in the order the walk met them.
type builder struct {
	datasets        map[int64]Node
	transformations map[int64]Node
	nodes           []Node
	listed          map[string]int
	edges           []Edge
	edgeIndex       map[[3]string]int
}

func newBuilder() *builder {
	return &builder{datasets: map[int64]Node{}, transformations: map[int64]Node{}, nodes: []Node{},
		listed: map[string]int{}, edges: []Edge{}, edgeIndex: map[[3]string]int{}}
}

func datasetNodeID(id int64) string        { return "dataset:" + strconv.FormatInt(id, 10) }
func transformationNodeID(id int64) string { return "transformation:" + strconv.FormatInt(id, 10) }

// list adds a node the first time it is met and returns its index.
func (b *builder) list(n Node) int {
	if i, ok := b.listed[n.ID]; ok {
		return i
	}
	b.listed[n.ID] = len(b.nodes)
	b.nodes = append(b.nodes, n)
	return len(b.nodes) - 1
}

func (b *builder) dataset(id int64) string {
	n, ok := b.datasets[id]
	if !ok { // not returned by the query (cannot happen for a walked edge)
		n = Node{ID: datasetNodeID(id), Type: "dataset"}
	}
	b.list(n)
	return n.ID
}

func (b *builder) transformation(id int64, depth int) string {
	n, ok := b.transformations[id]
	if !ok {
		n = Node{ID: transformationNodeID(id), Type: "transformation"}
	}
	n.Depth = depth
	i := b.list(n)
	b.nodes[i].Depth = min(b.nodes[i].Depth, depth)
	return n.ID
}

func (b *builder) add(r db.ObsLineageWalkRow) {
	in := b.dataset(r.InputDatasetID)
	tf := b.transformation(r.TransformationID, int(r.Depth))
	out := b.dataset(r.OutputDatasetID)
	b.edge(in, tf, "input", r.InputColumn)
	b.edge(tf, out, "output", r.OutputColumn)
}

func (b *builder) edge(source, target, typ, column string) {
	key := [3]string{source, target, typ}
	i, ok := b.edgeIndex[key]
	if !ok {
		i = len(b.edges)
		b.edgeIndex[key] = i
		b.edges = append(b.edges, Edge{Source: source, Target: target, Type: typ})
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
