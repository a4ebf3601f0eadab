package sqlcols

// Edge is one column edge of a statement. An empty Output means every
// output column: an input column that decides all the statement's rows
// (a WHERE, JOIN or GROUP BY column) is listed once rather than once per
// output column.
type Edge struct {
	Input  Column
	Output string
	Kind   Kind
}

// Edges lists the statement's column edges: direct ones per output column,
// indirect ones once for all columns when the input column feeds every
// output column and only indirectly for some.
func (st Statement) Edges() []Edge {
	everywhere := map[Column]bool{}
	if len(st.Columns) > 1 {
		for _, s := range st.Columns[0].Sources {
			everywhere[s.Column] = true
		}
		for _, c := range st.Columns[1:] {
			here := map[Column]bool{}
			for _, s := range c.Sources {
				here[s.Column] = true
			}
			for col := range everywhere {
				if !here[col] {
					delete(everywhere, col)
				}
			}
		}
	}
	var edges []Edge
	listed := map[Column]bool{}
	for _, c := range st.Columns {
		for _, s := range c.Sources {
			if s.Kind != Indirect || !everywhere[s.Column] {
				edges = append(edges, Edge{Input: s.Column, Output: c.Name, Kind: s.Kind})
				continue
			}
			if !listed[s.Column] {
				listed[s.Column] = true
				edges = append(edges, Edge{Input: s.Column, Kind: Indirect})
			}
		}
	}
	return edges
}
