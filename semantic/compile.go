package semantic

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// Options configure a compilation.
type Options struct {
	Dialect connectors.Dialect
	// Now anchors relative date ranges ("last 7 days"); zero means the current time.
	Now time.Time
}

// Compiled is a query compiled to one SQL statement.
type Compiled struct {
	SQL string
	// Columns are the statement's output columns, in order.
	Columns    []Column
	Query      NormalizedQuery
	Annotation Annotation
	loc        *time.Location
}

// Column is an output column and the keys its value appears under in
// Cube's data rows (a time dimension with a granularity appears under both
// "cube.member.granularity" and "cube.member").
type Column struct {
	Alias       string
	Keys        []string
	Kind        string
	Granularity string
}

// NormalizedQuery is the query as sluice understood it, in the shape of the
// "query" Cube's /load answers with.
type NormalizedQuery struct {
	Measures       []string                  `json:"measures"`
	Dimensions     []string                  `json:"dimensions"`
	Segments       []string                  `json:"segments"`
	TimeDimensions []NormalizedTimeDimension `json:"timeDimensions"`
	Filters        []Filter                  `json:"filters"`
	Order          []NormalizedOrder         `json:"order"`
	Limit          int                       `json:"limit"`
	RowLimit       int                       `json:"rowLimit"`
	Offset         int                       `json:"offset"`
	Timezone       string                    `json:"timezone"`
	QueryType      string                    `json:"queryType"`
}

// NormalizedTimeDimension is a time dimension with its date range resolved
// to local date-times in the query's time zone.
type NormalizedTimeDimension struct {
	Dimension   string   `json:"dimension"`
	Granularity string   `json:"granularity,omitempty"`
	DateRange   []string `json:"dateRange,omitempty"`
}

// NormalizedOrder is one ordering key.
type NormalizedOrder struct {
	ID   string `json:"id"`
	Desc bool   `json:"desc"`
}

// Compile resolves q against m and writes the SQL for the dialect. Every
// problem with the query is a *QueryError naming the member or operator.
func Compile(m *Model, q *Query, opts Options) (*Compiled, error) {
	d, err := dialectFor(opts.Dialect)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	p, err := newPlan(m, q, now)
	if err != nil {
		return nil, err
	}
	c := &compiler{m: m, d: d, p: p, dims: map[*Dimension]string{}}
	sql, err := c.statement()
	if err != nil {
		return nil, err
	}
	out := &Compiled{SQL: sql, Query: p.norm, Annotation: annotate(p), loc: p.loc}
	for _, col := range p.columns {
		keys := []string{col.key}
		if col.gran != "" {
			keys = append(keys, strings.TrimSuffix(col.key, "."+col.gran))
		}
		out.Columns = append(out.Columns, Column{Alias: col.alias, Keys: keys, Kind: col.kind, Granularity: col.gran})
	}
	return out, nil
}

// compiler writes one statement for a plan.
type compiler struct {
	m    *Model
	d    *dialect
	p    *plan
	tree *joinTree
	dims map[*Dimension]string
}

func (c *compiler) statement() (string, error) {
	if err := c.planJoins(); err != nil {
		return "", err
	}
	var sel, group []string
	for _, col := range c.p.columns {
		expr, err := c.columnSQL(col)
		if err != nil {
			return "", err
		}
		sel = append(sel, expr+" AS "+c.d.quote(col.alias))
		if col.measure == nil {
			group = append(group, expr)
		}
	}
	var b strings.Builder
	b.WriteString("SELECT\n  " + strings.Join(sel, ",\n  "))
	from, err := c.from()
	if err != nil {
		return "", err
	}
	b.WriteString("\n" + from)
	where, err := c.whereClause()
	if err != nil {
		return "", err
	}
	if len(where) > 0 {
		b.WriteString("\nWHERE " + strings.Join(where, "\n  AND "))
	}
	if len(group) > 0 {
		b.WriteString("\nGROUP BY " + strings.Join(group, ", "))
	}
	var having []string
	for _, h := range c.p.having {
		s, err := c.condSQL(h)
		if err != nil {
			return "", err
		}
		having = append(having, s)
	}
	if len(having) > 0 {
		b.WriteString("\nHAVING " + strings.Join(having, "\n  AND "))
	}
	var order []string
	for _, o := range c.p.order {
		dir := " ASC"
		if o.desc {
			dir = " DESC"
		}
		order = append(order, c.d.quote(o.col.alias)+dir)
	}
	if len(order) > 0 {
		b.WriteString("\nORDER BY " + strings.Join(order, ", "))
	}
	c.d.limit(&b, len(order) > 0, c.p.limit, c.p.offset)
	return b.String(), nil
}

// planJoins collects every cube the query touches and joins them.
func (c *compiler) planJoins() error {
	// Measures' cubes come first: among equally small join trees, the one
	// rooted at the cube being measured is chosen.
	var need cubeSet
	for _, col := range c.p.columns {
		if col.measure != nil {
			need.addMeasure(col.measure, 0)
		}
	}
	for _, col := range c.p.columns {
		if col.measure == nil {
			need.add(col.dim.Cube)
			need.addRefs(col.dim.sqlTpl, 0)
		}
	}
	for _, s := range c.p.segments {
		need.add(s.Cube)
		need.addRefs(s.sqlTpl, 0)
	}
	for _, r := range c.p.dateRanges {
		need.add(r.dim.Cube)
		need.addRefs(r.dim.sqlTpl, 0)
	}
	var walk func(*cond)
	walk = func(x *cond) {
		for _, ch := range x.children {
			walk(ch)
		}
		if l := x.leaf; l != nil && l.measure != nil {
			need.addMeasure(l.measure, 0)
		} else if l != nil {
			need.add(l.dim.Cube)
			need.addRefs(l.dim.sqlTpl, 0)
		}
	}
	for _, x := range append(append([]*cond{}, c.p.where...), c.p.having...) {
		walk(x)
	}
	tree, err := c.m.buildJoinTree(need.list)
	c.tree = tree
	return err
}

func (c *compiler) from() (string, error) {
	table, err := c.tableSQL(c.tree.root)
	if err != nil {
		return "", err
	}
	lines := []string{"FROM " + table}
	for _, j := range c.tree.joins {
		to := c.m.byName[j.To]
		table, err := c.tableSQL(to)
		if err != nil {
			return "", err
		}
		on, err := j.sqlTpl.render(c.expand)
		if err != nil {
			return "", err
		}
		lines = append(lines, "LEFT JOIN "+table+" ON "+on)
	}
	return strings.Join(lines, "\n"), nil
}

func (c *compiler) tableSQL(cube *Cube) (string, error) {
	alias := c.d.quote(cube.Name)
	if cube.SQLTable != "" {
		return cube.SQLTable + " AS " + alias, nil
	}
	sql, err := cube.sqlTpl.render(c.expand)
	if err != nil {
		return "", err
	}
	return "(" + sql + ") AS " + alias, nil
}

func (c *compiler) whereClause() ([]string, error) {
	var where []string
	for _, s := range c.p.segments {
		sql, err := s.sqlTpl.render(c.expand)
		if err != nil {
			return nil, err
		}
		where = append(where, "("+sql+")")
	}
	for _, r := range c.p.dateRanges {
		expr, err := c.dimSQL(r.dim)
		if err != nil {
			return nil, err
		}
		where = append(where, fmt.Sprintf("%s >= %s AND %s <= %s", expr, c.d.timestamp(r.r.from), expr, c.d.timestamp(r.r.to)))
	}
	for _, x := range c.p.where {
		s, err := c.condSQL(x)
		if err != nil {
			return nil, err
		}
		where = append(where, s)
	}
	return where, nil
}

func (c *compiler) columnSQL(col *selected) (string, error) {
	if col.measure != nil {
		return c.measureSQL(col.measure)
	}
	expr, err := c.dimSQL(col.dim)
	if err != nil || col.gran == "" {
		return expr, err
	}
	return c.d.truncate(c.d.inZone(expr, c.p.loc, c.p.now), col.gran), nil
}

// dimSQL renders a dimension's expression (memoized: a dimension may be
// selected, grouped and filtered on).
func (c *compiler) dimSQL(d *Dimension) (string, error) {
	if s, ok := c.dims[d]; ok {
		return s, nil
	}
	s, err := d.sqlTpl.render(c.expand)
	if err != nil {
		return "", err
	}
	c.dims[d] = s
	return s, nil
}

// simpleExpr needs no parentheses when placed inside another expression.
var simpleExpr = regexp.MustCompile("^[A-Za-z0-9_.\"`\\[\\]]+$")

func (c *compiler) expand(t *target) (string, error) {
	var s string
	var err error
	switch t.kind {
	case targetCube:
		return c.d.quote(t.cube.Name), nil
	case targetDimension:
		s, err = c.dimSQL(t.dimension)
	case targetMeasure:
		s, err = c.measureSQL(t.measure)
	}
	if err != nil || simpleExpr.MatchString(s) {
		return s, err
	}
	return "(" + s + ")", nil
}
