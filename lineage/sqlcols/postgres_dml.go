package sqlcols

import (
	pg "github.com/pganalyze/pg_query_go/v6"
)

// pgInsert reads INSERT … SELECT/VALUES, with ON CONFLICT DO UPDATE (an
// upsert) adding what its SET list reads.
func (a *analyser) pgInsert(s *pg.InsertStmt) Statement {
	defer a.pgWith(s.WithClause, nil)()
	st := Statement{Output: rangeVarName(s.Relation)}
	names := make([]string, 0, len(s.Cols))
	for _, c := range s.Cols {
		names = append(names, c.GetResTarget().GetName())
	}
	if len(names) == 0 {
		names = a.targetSchema(st.Output)
	}
	st.Columns = assign(names, a.pgQuery(s.SelectStmt, nil))
	oc := s.OnConflictClause
	if oc == nil || oc.Action != pg.OnConflictAction_ONCONFLICT_UPDATE {
		return st
	}
	// EXCLUDED is the row the INSERT proposed: its columns carry the
	// inserted values' lineage.
	sc := &scope{rels: []*relation{
		a.target(s.Relation),
		{name: "excluded", aliased: true, known: true, columns: cloneColumns(st.Columns)},
	}}
	st.Columns = a.setList(st.Columns, oc.TargetList, sc)
	return st.withIndirect(asIndirect(a.pgExpr(oc.WhereClause, sc)))
}

// pgUpdate reads UPDATE … SET … [FROM …] [WHERE …].
func (a *analyser) pgUpdate(s *pg.UpdateStmt) Statement {
	defer a.pgWith(s.WithClause, nil)()
	st := Statement{Output: rangeVarName(s.Relation)}
	sc := &scope{rels: []*relation{a.target(s.Relation)}}
	var indirect []Source
	for _, item := range s.FromClause {
		indirect = a.pgFrom(item, sc, indirect)
	}
	st.Columns = a.setList(nil, s.TargetList, sc)
	return st.withIndirect(mergeSources(indirect, asIndirect(a.pgExpr(s.WhereClause, sc))))
}

// pgMerge reads MERGE INTO target USING source ON … WHEN … THEN UPDATE/INSERT.
func (a *analyser) pgMerge(s *pg.MergeStmt) Statement {
	defer a.pgWith(s.WithClause, nil)()
	st := Statement{Output: rangeVarName(s.Relation)}
	sc := &scope{rels: []*relation{a.target(s.Relation)}}
	indirect := a.pgFrom(s.SourceRelation, sc, nil)
	indirect = mergeSources(indirect, asIndirect(a.pgExpr(s.JoinCondition, sc)))
	for _, w := range s.MergeWhenClauses {
		when := w.GetMergeWhenClause()
		if when == nil {
			continue
		}
		indirect = mergeSources(indirect, asIndirect(a.pgExpr(when.Condition, sc)))
		switch when.CommandType {
		case pg.CmdType_CMD_UPDATE:
			st.Columns = a.setList(st.Columns, when.TargetList, sc)
		case pg.CmdType_CMD_INSERT:
			names := make([]string, 0, len(when.TargetList))
			for _, t := range when.TargetList {
				names = append(names, t.GetResTarget().GetName())
			}
			if len(names) == 0 {
				names = a.targetSchema(st.Output)
			}
			for i, v := range when.Values {
				if i < len(names) {
					st.Columns = addTo(st.Columns, names[i], a.pgExpr(v, sc))
				}
			}
		}
	}
	return st.withIndirect(indirect)
}

// target is the relation of the table a statement writes, which its
// expressions may read (t.total + s.amount); finish drops those sources.
func (a *analyser) target(rv *pg.RangeVar) *relation {
	r := &relation{name: rangeVarName(rv), table: rangeVarName(rv)}
	if alias := rv.GetAlias().GetAliasname(); alias != "" {
		r.name, r.aliased = alias, true
	}
	return r
}

// setList reads SET col = expr items into cols.
func (a *analyser) setList(cols []OutputColumn, targets []*pg.Node, sc *scope) []OutputColumn {
	for _, t := range targets {
		rt := t.GetResTarget()
		if rt == nil || rt.Name == "" {
			continue
		}
		if m := rt.Val.GetMultiAssignRef(); m != nil {
			cols = addTo(cols, rt.Name, a.pgMultiAssign(m, sc))
			continue
		}
		cols = addTo(cols, rt.Name, a.pgExpr(rt.Val, sc))
	}
	return cols
}

// pgMultiAssign reads one column of SET (a, b) = (SELECT x, y …) or
// = ROW(x, y): the source's column at the same position.
func (a *analyser) pgMultiAssign(m *pg.MultiAssignRef, sc *scope) []Source {
	at := int(m.Colno) - 1
	if l := m.Source.GetSubLink(); l != nil {
		cols := a.pgQuery(l.Subselect, sc)
		if at < 0 || at >= len(cols) {
			return nil
		}
		sources := cols[at].Sources
		for _, c := range cols { // the subquery's conditions decide every column
			for _, s := range c.Sources {
				if s.Kind == Indirect {
					sources = addSource(sources, s)
				}
			}
		}
		return sources
	}
	if row := m.Source.GetRowExpr(); row != nil && at >= 0 && at < len(row.Args) {
		return a.pgExpr(row.Args[at], sc)
	}
	return a.pgExpr(m.Source, sc)
}

// withIndirect adds indirect sources to every output column.
func (st Statement) withIndirect(indirect []Source) Statement {
	st.Columns = withIndirect(st.Columns, indirect)
	return st
}

func cloneColumns(cols []OutputColumn) []OutputColumn {
	out := make([]OutputColumn, len(cols))
	for i, c := range cols {
		out[i] = OutputColumn{Name: c.Name, Sources: append([]Source(nil), c.Sources...)}
	}
	return out
}
