package sqlcols

import (
	"cmp"
	"strings"
)

// relation is what one FROM item shows the query around it: a base table,
// or a derived table (subquery, CTE, function) with its own column lineage.
type relation struct {
	// name is how the query refers to it: its alias, else the table's name.
	name    string
	aliased bool
	// table is the base table's name; "" for a derived relation.
	table string
	// columns are a derived relation's columns, or a base table's columns
	// as identity sources when its schema is known.
	columns []OutputColumn
	known   bool
}

// scope holds the relations a query's expressions can name; parent is the
// enclosing query's, for correlated subqueries.
type scope struct {
	rels   []*relation
	parent *scope
}

// bailout stops an analysis that went past its bounds; run turns it into
// ErrTooComplex.
type bailout struct{}

// analyser holds the state of one statement's analysis.
type analyser struct {
	schemas    SchemaLookup
	inputs     map[string]bool
	unresolved []string
	// ctes is a stack of WITH frames, innermost last.
	ctes  []map[string]*relation
	nodes int
	depth int
	// needsSchemas: a schema was wanted and not known (see Statement.NeedsSchemas).
	needsSchemas bool
}

func newAnalyser(schemas SchemaLookup) *analyser {
	return &analyser{schemas: schemas, inputs: map[string]bool{}}
}

// run calls analyse, turning a bailout into ErrTooComplex.
func (a *analyser) run(analyse func() (Statement, bool)) (st Statement, ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, over := r.(bailout); !over {
				panic(r)
			}
			st, ok, err = Statement{}, false, ErrTooComplex
		}
	}()
	st, ok = analyse()
	if ok {
		st.Unresolved = append(st.Unresolved, a.unresolved...)
		st.NeedsSchemas = a.needsSchemas || len(st.Unresolved) > 0
		st = finish(st, a.inputs)
	}
	return st, ok, nil
}

// enter counts a node and a nesting level; leave ends the level.
func (a *analyser) enter() {
	a.nodes++
	a.depth++
	if a.nodes > maxNodes || a.depth > maxDepth {
		panic(bailout{})
	}
}

func (a *analyser) leave() { a.depth-- }

// base returns the relation of a base table, with its columns when the
// table's schema is known, and counts the table as an input.
func (a *analyser) base(table, alias string) *relation {
	a.inputs[table] = true
	r := &relation{name: table, table: table}
	if alias != "" {
		r.name, r.aliased = alias, true
	}
	if names := a.schemas(table); len(names) > 0 {
		r.known = true
		r.columns = make([]OutputColumn, len(names))
		for i, n := range names {
			r.columns[i] = OutputColumn{Name: n, Sources: []Source{{Column: Column{Table: table, Name: n}, Kind: Identity}}}
		}
	}
	return r
}

// targetSchema returns the columns of the table an INSERT or MERGE writes
// without naming its columns.
func (a *analyser) targetSchema(table string) []string {
	names := a.schemas(table)
	a.needsSchemas = a.needsSchemas || len(names) == 0
	return names
}

// pushCTEs opens a WITH frame; popCTEs closes it.
func (a *analyser) pushCTEs() map[string]*relation {
	frame := map[string]*relation{}
	a.ctes = append(a.ctes, frame)
	return frame
}

func (a *analyser) popCTEs() { a.ctes = a.ctes[:len(a.ctes)-1] }

// cte returns a copy of the innermost CTE named name, under alias when given.
func (a *analyser) cte(name, alias string) *relation {
	for i := len(a.ctes) - 1; i >= 0; i-- {
		if r, ok := a.ctes[i][strings.ToLower(name)]; ok {
			c := *r
			if alias != "" {
				c.name, c.aliased = alias, true
			}
			return &c
		}
	}
	return nil
}

// matches says whether qualifier names r: its alias, or an unaliased
// table's full or last-part name.
func (r *relation) matches(qualifier string) bool {
	if strings.EqualFold(r.name, qualifier) {
		return true
	}
	if r.table == "" || r.aliased {
		return false
	}
	return strings.EqualFold(r.table, qualifier) || strings.HasSuffix(strings.ToLower(r.table), "."+strings.ToLower(qualifier))
}

// column returns copies of the sources of r's column named name.
func (r *relation) column(name string) ([]Source, bool) {
	for _, c := range r.columns {
		if strings.EqualFold(c.Name, name) {
			return append([]Source(nil), c.Sources...), true
		}
	}
	return nil, false
}

// resolve finds the sources of a column reference, qualified or not,
// looking outwards through enclosing scopes.
func (a *analyser) resolve(sc *scope, qualifier, name string) []Source {
	for s := sc; s != nil; s = s.parent {
		if qualifier != "" {
			for _, r := range s.rels {
				if !r.matches(qualifier) {
					continue
				}
				if sources, ok := r.column(name); ok {
					return sources
				}
				if r.table != "" {
					return []Source{{Column: Column{Table: r.table, Name: name}, Kind: Identity}}
				}
				return nil
			}
			continue
		}
		var unknown []*relation
		for _, r := range s.rels {
			if sources, ok := r.column(name); ok {
				return sources
			}
			if !r.known && r.table != "" {
				unknown = append(unknown, r)
			}
		}
		switch len(unknown) {
		case 0:
			continue
		case 1:
			return []Source{{Column: Column{Table: unknown[0].table, Name: name}, Kind: Identity}}
		}
		a.unresolved = append(a.unresolved, name)
		return nil
	}
	if qualifier != "" {
		name = qualifier + "." + name
	}
	a.unresolved = append(a.unresolved, name)
	return nil
}

// star expands * (qualifier "") or qualifier.* over sc's own relations.
func (a *analyser) star(sc *scope, qualifier string) []OutputColumn {
	var out []OutputColumn
	for _, r := range sc.rels {
		if qualifier != "" && !r.matches(qualifier) {
			continue
		}
		if !r.known {
			a.unresolved = append(a.unresolved, cmp.Or(r.table, r.name)+".*")
			continue
		}
		for _, c := range r.columns {
			out = append(out, OutputColumn{Name: c.Name, Sources: append([]Source(nil), c.Sources...)})
		}
	}
	return out
}

// usingColumn adds a JOIN … USING column of each joined relation to
// indirect.
func usingColumn(joined []*relation, name string, indirect []Source) []Source {
	for _, r := range joined {
		if sources, ok := r.column(name); ok {
			indirect = mergeSources(indirect, asIndirect(sources))
		} else if r.table != "" && !r.known {
			indirect = addSource(indirect, Source{Column: Column{Table: r.table, Name: name}, Kind: Indirect})
		}
	}
	return indirect
}

// withIndirect adds the sources that decide a query's rows to each of its
// output columns.
func withIndirect(cols []OutputColumn, indirect []Source) []OutputColumn {
	for i := range cols {
		for _, s := range indirect {
			cols[i].Sources = addSource(cols[i].Sources, Source{Column: s.Column, Kind: Indirect})
		}
	}
	return cols
}

// unionColumns merges a set operation's branches column by column; names
// come from the first branch.
func unionColumns(left, right []OutputColumn) []OutputColumn {
	for i := range left {
		if i < len(right) {
			left[i].Sources = mergeSources(left[i].Sources, right[i].Sources)
		}
	}
	return left
}

// assign maps a query's output columns onto the target's column names, by
// position; without names the query's own names are kept.
func assign(names []string, cols []OutputColumn) []OutputColumn {
	if len(names) == 0 {
		return cols
	}
	out := make([]OutputColumn, 0, len(names))
	for i, n := range names {
		if i >= len(cols) {
			break
		}
		out = append(out, OutputColumn{Name: n, Sources: cols[i].Sources})
	}
	return out
}

// addTo adds sources to the output column named name, creating it.
func addTo(cols []OutputColumn, name string, sources []Source) []OutputColumn {
	for i := range cols {
		if strings.EqualFold(cols[i].Name, name) {
			cols[i].Sources = mergeSources(cols[i].Sources, sources)
			return cols
		}
	}
	return append(cols, OutputColumn{Name: name, Sources: mergeSources(nil, sources)})
}
