package sqlcols

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// valuesRelation names the relation VALUES(col) reads in ON DUPLICATE KEY
// UPDATE: the row the INSERT proposed.
const valuesRelation = "\x00values"

// myExpr returns the input columns a MySQL expression reads and how.
func (a *analyser) myExpr(n ast.ExprNode, sc *scope) []Source {
	if n == nil {
		return nil
	}
	a.enter()
	defer a.leave()
	switch e := n.(type) {
	case *ast.ColumnNameExpr:
		return a.resolve(sc, joinNames(e.Name.Schema.O, e.Name.Table.O), e.Name.Name.O)
	case *ast.ValuesExpr:
		if e.Column == nil {
			return nil
		}
		return a.resolve(sc, valuesRelation, e.Column.Name.Name.O)
	case *ast.AggregateFuncExpr:
		sources := promote(a.myExprs(e.Args, sc), Aggregation)
		if e.Order != nil {
			sources = mergeSources(sources, asIndirect(a.myExprs(byItems(e.Order.Items), sc)))
		}
		return sources
	case *ast.WindowFuncExpr:
		kind := Transformation
		if aggregates[strings.ToLower(e.Name)] {
			kind = Aggregation
		}
		return mergeSources(promote(a.myExprs(e.Args, sc), kind), asIndirect(a.myExprs(windowItems(&e.Spec), sc)))
	case *ast.CaseExpr:
		sources := asIndirect(a.myExpr(e.Value, sc))
		for _, w := range e.WhenClauses {
			sources = mergeSources(sources, asIndirect(a.myExpr(w.Expr, sc)))
			sources = mergeSources(sources, promote(a.myExpr(w.Result, sc), Transformation))
		}
		return mergeSources(sources, promote(a.myExpr(e.ElseClause, sc), Transformation))
	case *ast.SubqueryExpr:
		var sources []Source
		for _, c := range a.myQuery(e.Query, sc) {
			sources = mergeSources(sources, c.Sources)
		}
		if e.Exists {
			return asIndirect(sources)
		}
		return promote(sources, Transformation)
	case *ast.ExistsSubqueryExpr:
		return asIndirect(a.myExpr(e.Sel, sc))
	case *ast.PatternInExpr:
		sources := promote(mergeSources(a.myExpr(e.Expr, sc), a.myExprs(e.List, sc)), Transformation)
		return mergeSources(sources, asIndirect(a.myExpr(e.Sel, sc)))
	case *ast.CompareSubqueryExpr:
		return mergeSources(promote(a.myExpr(e.L, sc), Transformation), asIndirect(a.myExpr(e.R, sc)))
	}
	// Operators, casts, function calls…: every column inside feeds the
	// value through a computation.
	collect := &childExprs{root: n}
	n.Accept(collect)
	return promote(a.myExprs(collect.children, sc), Transformation)
}

func (a *analyser) myExprs(exprs []ast.ExprNode, sc *scope) []Source {
	var sources []Source
	for _, e := range exprs {
		sources = mergeSources(sources, a.myExpr(e, sc))
	}
	return sources
}

// childExprs gathers the expressions directly under root (looking through
// nodes that are not expressions, such as a CASE's WHEN clauses).
type childExprs struct {
	root     ast.Node
	children []ast.ExprNode
}

// Enter takes an expression below root and skips what is under it.
func (c *childExprs) Enter(n ast.Node) (ast.Node, bool) {
	if n == c.root {
		return n, false
	}
	if e, ok := n.(ast.ExprNode); ok {
		c.children = append(c.children, e)
		return n, true
	}
	return n, false
}

// Leave keeps every node as it is.
func (c *childExprs) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// myInsert reads INSERT/REPLACE … SELECT, VALUES or SET, with ON DUPLICATE
// KEY UPDATE adding what its assignments read.
func (a *analyser) myInsert(s *ast.InsertStmt) Statement {
	var target *ast.TableName
	if s.Table != nil && s.Table.TableRefs != nil {
		if ts, ok := s.Table.TableRefs.Left.(*ast.TableSource); ok {
			target, _ = ts.Source.(*ast.TableName)
		}
	}
	st := Statement{Output: myTableName(target)}
	names := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		names[i] = c.Name.O
	}
	if len(names) == 0 {
		names = a.targetSchema(st.Output)
	}
	var cols []OutputColumn
	if s.Select != nil {
		cols = a.myQuery(s.Select, nil)
	}
	for _, row := range s.Lists {
		for i, e := range row {
			if i >= len(cols) {
				cols = append(cols, OutputColumn{Name: fmt.Sprintf("column%d", i+1)})
			}
			cols[i].Sources = mergeSources(cols[i].Sources, a.myExpr(e, &scope{}))
		}
	}
	st.Columns = assign(names, cols)
	if len(s.OnDuplicate) == 0 {
		return st
	}
	sc := &scope{rels: []*relation{
		{name: st.Output, table: st.Output},
		{name: valuesRelation, aliased: true, known: true, columns: cloneColumns(st.Columns)},
	}}
	for _, as := range s.OnDuplicate {
		st.Columns = addTo(st.Columns, as.Column.Name.O, a.myExpr(as.Expr, sc))
	}
	return st
}

// myUpdate reads UPDATE t [JOIN …] SET … WHERE …; the output is the first
// table named.
func (a *analyser) myUpdate(s *ast.UpdateStmt) Statement {
	defer a.myWith(s.With, nil)()
	sc := &scope{}
	var indirect []Source
	if s.TableRefs != nil {
		indirect = a.myFrom(s.TableRefs.TableRefs, sc, nil)
	}
	var st Statement
	if len(sc.rels) > 0 {
		st.Output = sc.rels[0].table
	}
	for _, as := range s.List {
		st.Columns = addTo(st.Columns, as.Column.Name.O, a.myExpr(as.Expr, sc))
	}
	return st.withIndirect(mergeSources(indirect, asIndirect(a.myExpr(s.Where, sc))))
}
