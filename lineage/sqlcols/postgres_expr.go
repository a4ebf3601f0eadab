package sqlcols

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// aggregates are the functions that combine many rows into one value; an
// aggregate-only clause (ORDER BY inside, FILTER, WITHIN GROUP, DISTINCT,
// count(*)) also marks a call as one.
var aggregates = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true, "array_agg": true, "string_agg": true,
	"listagg": true, "group_concat": true, "bool_and": true, "bool_or": true, "every": true, "bit_and": true,
	"bit_or": true, "json_agg": true, "jsonb_agg": true, "json_object_agg": true, "jsonb_object_agg": true,
	"stddev": true, "stddev_pop": true, "stddev_samp": true, "variance": true, "var_pop": true, "var_samp": true,
	"percentile_cont": true, "percentile_disc": true, "mode": true, "median": true, "corr": true,
	"covar_pop": true, "covar_samp": true, "approx_count_distinct": true, "collect_list": true,
	"collect_set": true, "any_value": true, "first": true, "last": true, "xmlagg": true,
}

// pgExpr returns the input columns an expression reads and how.
func (a *analyser) pgExpr(n *pg.Node, sc *scope) []Source {
	if n == nil {
		return nil
	}
	a.enter()
	defer a.leave()
	switch {
	case n.GetColumnRef() != nil:
		return a.pgColumnRef(n.GetColumnRef(), sc)
	case n.GetFuncCall() != nil:
		return a.pgFuncCall(n.GetFuncCall(), sc)
	case n.GetCaseExpr() != nil:
		c := n.GetCaseExpr()
		sources := asIndirect(a.pgExpr(c.Arg, sc))
		for _, w := range c.Args {
			when := w.GetCaseWhen()
			sources = mergeSources(sources, asIndirect(a.pgExpr(when.GetExpr(), sc)))
			sources = mergeSources(sources, promote(a.pgExpr(when.GetResult(), sc), Transformation))
		}
		return mergeSources(sources, promote(a.pgExpr(c.Defresult, sc), Transformation))
	case n.GetSubLink() != nil:
		return a.pgSubLink(n.GetSubLink(), sc)
	case n.GetSortBy() != nil:
		return a.pgExpr(n.GetSortBy().Node, sc)
	case n.GetResTarget() != nil:
		return a.pgExpr(n.GetResTarget().Val, sc)
	case n.GetAConst() != nil, n.GetParamRef() != nil, n.GetString_() != nil:
		return nil
	}
	// Operators, casts, COALESCE, arrays, row constructors…: every column
	// inside feeds the value through a computation. The common nodes are
	// read directly; the rest through reflection, which is slower.
	var sources []Source
	visit := func(child *pg.Node) { sources = mergeSources(sources, a.pgExpr(child, sc)) }
	switch {
	case n.GetAExpr() != nil:
		visit(n.GetAExpr().Lexpr)
		visit(n.GetAExpr().Rexpr)
	case n.GetBoolExpr() != nil:
		eachNode(n.GetBoolExpr().Args, visit)
	case n.GetTypeCast() != nil:
		visit(n.GetTypeCast().Arg)
	case n.GetNullTest() != nil:
		visit(n.GetNullTest().Arg)
	case n.GetCoalesceExpr() != nil:
		eachNode(n.GetCoalesceExpr().Args, visit)
	case n.GetList() != nil:
		eachNode(n.GetList().Items, visit)
	default:
		eachChild(n.ProtoReflect(), visit)
	}
	return promote(sources, Transformation)
}

func eachNode(nodes []*pg.Node, visit func(*pg.Node)) {
	for _, n := range nodes {
		visit(n)
	}
}

// eachChild calls visit for every Node directly under m, looking through
// the typed messages in between (an A_Expr's operands, a TypeCast's arg).
func eachChild(m protoreflect.Message, visit func(*pg.Node)) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		one := func(msg protoreflect.Message) {
			if node, ok := msg.Interface().(*pg.Node); ok {
				visit(node)
			} else {
				eachChild(msg, visit)
			}
		}
		if fd.IsList() {
			list := v.List()
			for i := 0; i < list.Len(); i++ {
				one(list.Get(i).Message())
			}
		} else if !fd.IsMap() {
			one(v.Message())
		}
		return true
	})
}

// pgColumnRef resolves a.b.c, b.c or c; a star inside an expression
// (row(t.*)) reads every column of its relations.
func (a *analyser) pgColumnRef(ref *pg.ColumnRef, sc *scope) []Source {
	if qualifier, isStar := starFields(ref.Fields); isStar {
		var sources []Source
		for _, c := range a.star(sc, qualifier) {
			sources = mergeSources(sources, c.Sources)
		}
		return promote(sources, Transformation)
	}
	names := stringList(ref.Fields)
	if len(names) == 0 {
		return nil
	}
	return a.resolve(sc, strings.Join(names[:len(names)-1], "."), names[len(names)-1])
}

// pgFuncCall reads a function call: aggregates aggregate, other functions
// transform; ordering, filters and window partitions are indirect.
func (a *analyser) pgFuncCall(f *pg.FuncCall, sc *scope) []Source {
	kind := Transformation
	if aggregates[funcName(f)] || f.AggStar || f.AggDistinct || f.AggWithinGroup || len(f.AggOrder) > 0 || f.AggFilter != nil {
		kind = Aggregation
	}
	args, conditions := f.Args, append([]*pg.Node{f.AggFilter}, f.AggOrder...)
	if f.AggWithinGroup { // percentile_cont(0.9) WITHIN GROUP (ORDER BY x) aggregates x
		args, conditions = append(args, f.AggOrder...), []*pg.Node{f.AggFilter}
	}
	var sources []Source
	for _, arg := range args {
		sources = mergeSources(sources, a.pgExpr(arg, sc))
	}
	promote(sources, kind)
	if f.Over != nil {
		conditions = append(conditions, f.Over.PartitionClause...)
		conditions = append(conditions, f.Over.OrderClause...)
	}
	for _, c := range conditions {
		sources = mergeSources(sources, asIndirect(a.pgExpr(c, sc)))
	}
	return sources
}

// pgSubLink reads a subquery in an expression: a scalar or ARRAY subquery's
// columns feed the value; EXISTS, IN, ANY and ALL only decide it.
func (a *analyser) pgSubLink(l *pg.SubLink, sc *scope) []Source {
	var sources []Source
	for _, c := range a.pgQuery(l.Subselect, sc) {
		sources = mergeSources(sources, c.Sources)
	}
	switch l.SubLinkType {
	case pg.SubLinkType_EXPR_SUBLINK, pg.SubLinkType_ARRAY_SUBLINK:
		promote(sources, Transformation)
	default:
		asIndirect(sources)
	}
	return mergeSources(sources, asIndirect(a.pgExpr(l.Testexpr, sc)))
}

// funcName is a call's unqualified, lower-case name.
func funcName(f *pg.FuncCall) string {
	names := stringList(f.Funcname)
	if len(names) == 0 {
		return ""
	}
	return strings.ToLower(names[len(names)-1])
}

// starRef says whether a target is * or t.*, and its qualifier.
func starRef(n *pg.Node) (string, bool) {
	if ref := n.GetColumnRef(); ref != nil {
		return starFields(ref.Fields)
	}
	return "", false
}

func starFields(fields []*pg.Node) (string, bool) {
	if len(fields) == 0 || fields[len(fields)-1].GetAStar() == nil {
		return "", false
	}
	return strings.Join(stringList(fields[:len(fields)-1]), "."), true
}

// targetName is the name Postgres gives a select-list item.
func targetName(rt *pg.ResTarget) string {
	if rt.Name != "" {
		return rt.Name
	}
	n := rt.Val
	for n.GetTypeCast() != nil {
		n = n.GetTypeCast().Arg
	}
	switch {
	case n.GetColumnRef() != nil:
		if names := stringList(n.GetColumnRef().Fields); len(names) > 0 {
			return names[len(names)-1]
		}
	case n.GetFuncCall() != nil:
		return funcName(n.GetFuncCall())
	case n.GetCaseExpr() != nil:
		return "case"
	case n.GetCoalesceExpr() != nil:
		return "coalesce"
	}
	return "?column?"
}
