package sqlcols

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// parsePostgres parses sql with Postgres's grammar.
func parsePostgres(sql string) (*Parsed, error) {
	tree, err := parsePostgresTree(sql)
	if err != nil {
		return nil, fmt.Errorf("parse as postgres: %w", err)
	}
	return &Parsed{weight: treeBytesPerSQLByte * len(sql), analyse: func(schemas SchemaLookup) ([]Statement, error) {
		return analysePostgres(tree, schemas)
	}}, nil
}

// treeBytesPerSQLByte estimates a syntax tree's memory from its statement's
// length (measured: a 2 KiB statement's tree allocates 85 KB).
const treeBytesPerSQLByte = 40

// analysePostgres reads the lineage of each parsed statement.
func analysePostgres(tree *pg.ParseResult, schemas SchemaLookup) ([]Statement, error) {
	var out []Statement
	for _, raw := range tree.Stmts {
		a := newAnalyser(schemas)
		st, ok, err := a.run(func() (Statement, bool) { return a.pgStatement(raw.Stmt) })
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, st)
		}
	}
	return out, nil
}

// pgStatement reads one statement; ok is false for statements that neither
// read nor write tables.
func (a *analyser) pgStatement(n *pg.Node) (Statement, bool) {
	var st Statement
	switch {
	case n.GetSelectStmt() != nil:
		s := n.GetSelectStmt()
		st.Columns = a.pgSelect(s, nil)
		if s.IntoClause != nil {
			st.Output = rangeVarName(s.IntoClause.Rel)
			st.Columns = assign(stringList(s.IntoClause.ColNames), st.Columns)
		}
	case n.GetCreateTableAsStmt() != nil:
		s := n.GetCreateTableAsStmt()
		st.Columns = a.pgQuery(s.Query, nil)
		if s.Into != nil {
			st.Output = rangeVarName(s.Into.Rel)
			st.Columns = assign(stringList(s.Into.ColNames), st.Columns)
		}
	case n.GetViewStmt() != nil:
		s := n.GetViewStmt()
		st.Output = rangeVarName(s.View)
		st.Columns = assign(stringList(s.Aliases), a.pgQuery(s.Query, nil))
	case n.GetInsertStmt() != nil:
		st = a.pgInsert(n.GetInsertStmt())
	case n.GetUpdateStmt() != nil:
		st = a.pgUpdate(n.GetUpdateStmt())
	case n.GetMergeStmt() != nil:
		st = a.pgMerge(n.GetMergeStmt())
	default:
		return st, false
	}
	return st, st.Output != "" || len(a.inputs) > 0
}

// pgQuery reads a query node (a SELECT, VALUES or set operation).
func (a *analyser) pgQuery(n *pg.Node, parent *scope) []OutputColumn {
	if s := n.GetSelectStmt(); s != nil {
		return a.pgSelect(s, parent)
	}
	return nil
}

// pgWith opens a WITH frame and reads its CTEs in order, so each may use
// the ones before it; the caller defers the function it returns, which
// closes the frame (nothing to close without a WITH).
func (a *analyser) pgWith(w *pg.WithClause, parent *scope) (closeFrame func()) {
	if w == nil {
		return func() {}
	}
	frame := a.pushCTEs()
	for _, c := range w.GetCtes() {
		cte := c.GetCommonTableExpr()
		if cte == nil {
			continue
		}
		name := strings.ToLower(cte.Ctename)
		// A recursive CTE's own name refers to itself, not to a table.
		frame[name] = &relation{name: name, known: true}
		cols := assign(stringList(cte.Aliascolnames), a.pgQuery(cte.Ctequery, parent))
		frame[name] = &relation{name: name, known: true, columns: cols}
	}
	return a.popCTEs
}

// pgSelect reads a SELECT, VALUES or set operation into its output columns.
func (a *analyser) pgSelect(s *pg.SelectStmt, parent *scope) []OutputColumn {
	a.enter()
	defer a.leave()
	defer a.pgWith(s.WithClause, parent)()
	if s.Op > pg.SetOperation_SETOP_NONE {
		left := a.pgSelect(s.Larg, parent)
		return unionColumns(left, a.pgSelect(s.Rarg, parent))
	}
	if len(s.ValuesLists) > 0 {
		return a.pgValues(s.ValuesLists, parent)
	}
	sc := &scope{parent: parent}
	var indirect []Source
	for _, item := range s.FromClause {
		indirect = a.pgFrom(item, sc, indirect)
	}
	conditions := []*pg.Node{s.WhereClause, s.HavingClause}
	conditions = append(conditions, s.GroupClause...)
	conditions = append(conditions, s.SortClause...)
	conditions = append(conditions, s.DistinctClause...)
	for _, w := range s.WindowClause {
		if def := w.GetWindowDef(); def != nil {
			conditions = append(conditions, def.PartitionClause...)
			conditions = append(conditions, def.OrderClause...)
		}
	}
	for _, c := range conditions {
		indirect = mergeSources(indirect, asIndirect(a.pgExpr(c, sc)))
	}
	var cols []OutputColumn
	for _, t := range s.TargetList {
		rt := t.GetResTarget()
		if rt == nil {
			continue
		}
		if qualifier, isStar := starRef(rt.Val); isStar {
			cols = append(cols, a.star(sc, qualifier)...)
			continue
		}
		cols = append(cols, OutputColumn{Name: targetName(rt), Sources: mergeSources(nil, a.pgExpr(rt.Val, sc))})
	}
	return withIndirect(cols, indirect)
}

// pgValues reads VALUES lists: column i of every row feeds output column i.
func (a *analyser) pgValues(rows []*pg.Node, parent *scope) []OutputColumn {
	var cols []OutputColumn
	sc := &scope{parent: parent}
	for _, row := range rows {
		for i, item := range row.GetList().GetItems() {
			if i >= len(cols) {
				cols = append(cols, OutputColumn{Name: fmt.Sprintf("column%d", i+1)})
			}
			cols[i].Sources = mergeSources(cols[i].Sources, a.pgExpr(item, sc))
		}
	}
	return cols
}

// pgFrom adds a FROM item's relations to sc and returns indirect with its
// join conditions added.
func (a *analyser) pgFrom(n *pg.Node, sc *scope, indirect []Source) []Source {
	a.enter()
	defer a.leave()
	switch {
	case n.GetRangeVar() != nil:
		rv := n.GetRangeVar()
		alias := rv.GetAlias().GetAliasname()
		r := (*relation)(nil)
		if rv.Schemaname == "" && rv.Catalogname == "" {
			r = a.cte(rv.Relname, alias)
		}
		if r == nil {
			r = a.base(rangeVarName(rv), alias)
		}
		r.columns = renamed(r.columns, rv.GetAlias())
		sc.rels = append(sc.rels, r)
	case n.GetRangeSubselect() != nil:
		sub := n.GetRangeSubselect()
		parent := sc.parent
		if sub.Lateral {
			parent = sc
		}
		cols := renamed(a.pgQuery(sub.Subquery, parent), sub.GetAlias())
		sc.rels = append(sc.rels, &relation{name: sub.GetAlias().GetAliasname(), aliased: true, columns: cols, known: true})
	case n.GetJoinExpr() != nil:
		j := n.GetJoinExpr()
		before := len(sc.rels)
		indirect = a.pgFrom(j.Larg, sc, indirect)
		indirect = a.pgFrom(j.Rarg, sc, indirect)
		indirect = mergeSources(indirect, asIndirect(a.pgExpr(j.Quals, sc)))
		for _, u := range stringList(j.UsingClause) {
			indirect = usingColumn(sc.rels[before:], u, indirect)
		}
	case n.GetRangeFunction() != nil:
		a.pgRangeFunction(n.GetRangeFunction(), sc)
	}
	return indirect
}

// pgRangeFunction adds a function in FROM (unnest, generate_series, a table
// function) as a relation whose columns transform the function's arguments.
func (a *analyser) pgRangeFunction(f *pg.RangeFunction, sc *scope) {
	var sources []Source
	for _, fn := range f.Functions {
		for _, item := range fn.GetList().GetItems() {
			sources = mergeSources(sources, a.pgExpr(item, sc))
		}
	}
	promote(sources, Transformation)
	names := stringList(f.GetAlias().GetColnames())
	if len(names) == 0 && f.GetAlias().GetAliasname() != "" {
		names = []string{f.GetAlias().GetAliasname()}
	}
	r := &relation{name: f.GetAlias().GetAliasname(), aliased: true, known: true}
	for _, n := range names {
		r.columns = append(r.columns, OutputColumn{Name: n, Sources: append([]Source(nil), sources...)})
	}
	sc.rels = append(sc.rels, r)
}

// renamed applies an alias's column list (t(a, b)) to a relation's columns.
func renamed(cols []OutputColumn, alias *pg.Alias) []OutputColumn {
	names := stringList(alias.GetColnames())
	if len(names) == 0 {
		return cols
	}
	out := append([]OutputColumn(nil), cols...)
	for i := range out {
		if i < len(names) {
			out[i].Name = names[i]
		}
	}
	return out
}

// rangeVarName is a table's dotted name as the statement wrote it.
func rangeVarName(rv *pg.RangeVar) string {
	if rv == nil {
		return ""
	}
	parts := make([]string, 0, 3)
	for _, p := range []string{rv.Catalogname, rv.Schemaname, rv.Relname} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

// stringList reads a list of String nodes (column names).
func stringList(nodes []*pg.Node) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if s := n.GetString_(); s != nil {
			out = append(out, s.Sval)
		}
	}
	return out
}
