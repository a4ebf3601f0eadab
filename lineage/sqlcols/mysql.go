package sqlcols

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	// The parser needs a value driver for literals; this is the standalone one.
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"
)

// parseMySQL parses sql with the MySQL grammar (TiDB's parser). Its syntax
// trees are walked with the parser's visitor, which writes nodes back as it
// goes, so they are not shared between analyses: Lineage parses again.
func parseMySQL(sql string) (*Parsed, error) {
	if _, _, err := parser.New().ParseSQL(sql); err != nil {
		return nil, fmt.Errorf("parse as mysql: %w", err)
	}
	return &Parsed{uncacheable: true, analyse: func(schemas SchemaLookup) ([]Statement, error) {
		stmts, _, err := parser.New().ParseSQL(sql)
		if err != nil {
			return nil, fmt.Errorf("parse as mysql: %w", err)
		}
		var out []Statement
		for _, stmt := range stmts {
			a := newAnalyser(schemas)
			st, ok, err := a.run(func() (Statement, bool) { return a.myStatement(stmt) })
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, st)
			}
		}
		return out, nil
	}}, nil
}

// myStatement reads one MySQL statement.
func (a *analyser) myStatement(n ast.StmtNode) (Statement, bool) {
	var st Statement
	switch s := n.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
		st.Columns = a.myQuery(s, nil)
	case *ast.CreateTableStmt:
		if s.Select == nil {
			return st, false
		}
		st.Output = myTableName(s.Table)
		st.Columns = a.myQuery(s.Select, nil)
	case *ast.CreateViewStmt:
		st.Output = myTableName(s.ViewName)
		names := make([]string, len(s.Cols))
		for i, c := range s.Cols {
			names[i] = c.O
		}
		st.Columns = assign(names, a.myQuery(s.Select, nil))
	case *ast.InsertStmt:
		st = a.myInsert(s)
	case *ast.UpdateStmt:
		st = a.myUpdate(s)
	default:
		return st, false
	}
	return st, st.Output != "" || len(a.inputs) > 0
}

// myQuery reads a SELECT, a set operation or a subquery into its columns.
func (a *analyser) myQuery(n ast.Node, parent *scope) []OutputColumn {
	a.enter()
	defer a.leave()
	switch q := n.(type) {
	case *ast.SelectStmt:
		defer a.myWith(q.With, parent)()
		return a.mySelect(q, parent)
	case *ast.SetOprStmt:
		defer a.myWith(q.With, parent)()
		return a.myQuery(q.SelectList, parent)
	case *ast.SetOprSelectList:
		defer a.myWith(q.With, parent)()
		var cols []OutputColumn
		for i, sel := range q.Selects {
			if i == 0 {
				cols = a.myQuery(sel, parent)
			} else {
				cols = unionColumns(cols, a.myQuery(sel, parent))
			}
		}
		return cols
	case *ast.SubqueryExpr:
		return a.myQuery(q.Query, parent)
	}
	return nil
}

// myWith opens a WITH frame (see pgWith); the caller defers what it returns.
func (a *analyser) myWith(w *ast.WithClause, parent *scope) func() {
	if w == nil {
		return func() {}
	}
	frame := a.pushCTEs()
	for _, cte := range w.CTEs {
		name := cte.Name.L
		frame[name] = &relation{name: name, known: true}
		names := make([]string, len(cte.ColNameList))
		for i, c := range cte.ColNameList {
			names[i] = c.O
		}
		frame[name] = &relation{name: name, known: true, columns: assign(names, a.myQuery(cte.Query, parent))}
	}
	return a.popCTEs
}

// mySelect reads one SELECT block.
func (a *analyser) mySelect(s *ast.SelectStmt, parent *scope) []OutputColumn {
	sc := &scope{parent: parent}
	var indirect []Source
	if s.From != nil {
		indirect = a.myFrom(s.From.TableRefs, sc, indirect)
	}
	conditions := []ast.ExprNode{s.Where}
	if s.Having != nil {
		conditions = append(conditions, s.Having.Expr)
	}
	if s.GroupBy != nil {
		conditions = append(conditions, byItems(s.GroupBy.Items)...)
	}
	if s.OrderBy != nil {
		conditions = append(conditions, byItems(s.OrderBy.Items)...)
	}
	for i := range s.WindowSpecs {
		conditions = append(conditions, windowItems(&s.WindowSpecs[i])...)
	}
	for _, c := range conditions {
		indirect = mergeSources(indirect, asIndirect(a.myExpr(c, sc)))
	}
	var cols []OutputColumn
	if s.Fields != nil {
		for _, f := range s.Fields.Fields {
			if f.WildCard != nil {
				cols = append(cols, a.star(sc, joinNames(f.WildCard.Schema.O, f.WildCard.Table.O))...)
				continue
			}
			cols = append(cols, OutputColumn{Name: myFieldName(f), Sources: mergeSources(nil, a.myExpr(f.Expr, sc))})
		}
	}
	return withIndirect(cols, indirect)
}

// myFrom adds a FROM item's relations to sc and returns indirect with its
// join conditions added.
func (a *analyser) myFrom(n ast.ResultSetNode, sc *scope, indirect []Source) []Source {
	a.enter()
	defer a.leave()
	switch f := n.(type) {
	case *ast.Join:
		before := len(sc.rels)
		indirect = a.myFrom(f.Left, sc, indirect)
		if f.Right != nil {
			indirect = a.myFrom(f.Right, sc, indirect)
		}
		if f.On != nil {
			indirect = mergeSources(indirect, asIndirect(a.myExpr(f.On.Expr, sc)))
		}
		for _, u := range f.Using {
			indirect = usingColumn(sc.rels[before:], u.Name.O, indirect)
		}
	case *ast.TableSource:
		alias := f.AsName.O
		switch src := f.Source.(type) {
		case *ast.TableName:
			var r *relation
			if src.Schema.O == "" {
				r = a.cte(src.Name.O, alias)
			}
			if r == nil {
				r = a.base(myTableName(src), alias)
			}
			sc.rels = append(sc.rels, r)
		default:
			sc.rels = append(sc.rels, &relation{name: alias, aliased: true, known: true, columns: a.myQuery(src, sc.parent)})
		}
	case *ast.TableName:
		sc.rels = append(sc.rels, a.base(myTableName(f), ""))
	}
	return indirect
}

// myTableName is a table's dotted name as the statement wrote it.
func myTableName(t *ast.TableName) string {
	if t == nil {
		return ""
	}
	return joinNames(t.Schema.O, t.Name.O)
}

func joinNames(parts ...string) string {
	kept := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, ".")
}

// myFieldName is the name MySQL gives a select-list item: its alias, its
// column's name, or the expression's text.
func myFieldName(f *ast.SelectField) string {
	if f.AsName.O != "" {
		return f.AsName.O
	}
	if c, ok := f.Expr.(*ast.ColumnNameExpr); ok {
		return c.Name.Name.O
	}
	if text := strings.TrimSpace(f.Text()); text != "" {
		return text
	}
	return "?column?"
}

func byItems(items []*ast.ByItem) []ast.ExprNode {
	out := make([]ast.ExprNode, 0, len(items))
	for _, i := range items {
		out = append(out, i.Expr)
	}
	return out
}

// windowItems are a window's PARTITION BY and ORDER BY expressions.
func windowItems(w *ast.WindowSpec) []ast.ExprNode {
	var out []ast.ExprNode
	if w.PartitionBy != nil {
		out = append(out, byItems(w.PartitionBy.Items)...)
	}
	if w.OrderBy != nil {
		out = append(out, byItems(w.OrderBy.Items)...)
	}
	return out
}
