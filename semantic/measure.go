package semantic

import (
	"fmt"
	"strings"
)

// measureSQL renders a measure's aggregate expression. Rows of a cube that
// a join repeats (see joinTree.multipliedBy) are counted by primary key, as
// Cube does; sums and averages over repeated rows would be wrong, so they
// are refused instead.
func (c *compiler) measureSQL(ms *Measure) (string, error) {
	if ms.Type == MeasureNumber {
		return ms.sqlTpl.render(c.expand)
	}
	var filters []string
	for _, f := range ms.filterTpls {
		s, err := f.render(c.expand)
		if err != nil {
			return "", err
		}
		filters = append(filters, "("+s+")")
	}
	arg := ""
	if ms.SQL != "" {
		s, err := ms.sqlTpl.render(c.expand)
		if err != nil {
			return "", err
		}
		arg = s
	}
	filter := strings.Join(filters, " AND ")
	by := c.tree.multipliedBy(ms.Cube)
	switch ms.Type {
	case MeasureCount:
		if by != nil {
			pk, err := c.primaryKey(ms, by)
			if err != nil {
				return "", err
			}
			if arg != "" {
				filter = strings.Join(append(filters, "("+arg+") IS NOT NULL"), " AND ")
			}
			return "COUNT(DISTINCT " + when(filter, pk) + ")", nil
		}
		switch {
		case filter != "" && arg != "":
			return "COUNT(" + when(filter, arg) + ")", nil
		case filter != "":
			return "COUNT(" + when(filter, "1") + ")", nil
		case arg != "":
			return "COUNT(" + arg + ")", nil
		}
		return "COUNT(*)", nil
	case MeasureCountDistinct:
		return "COUNT(DISTINCT " + when(filter, arg) + ")", nil
	case MeasureCountDistinctApprox:
		return c.d.approxCountDistinct(when(filter, arg)), nil
	case MeasureMin:
		return "MIN(" + when(filter, arg) + ")", nil
	case MeasureMax:
		return "MAX(" + when(filter, arg) + ")", nil
	}
	if by != nil {
		return "", queryErr("measures", "%s.%s (%s) would add up rows the join %s repeats; sluice does not yet aggregate sums and averages across a one-to-many join: query it without the members of the joined cube, or define the measure on the many side",
			ms.Cube.Name, ms.Name, ms.Type, by.describe())
	}
	if ms.Type == MeasureSum {
		return "SUM(" + when(filter, arg) + ")", nil
	}
	return "AVG(" + when(filter, arg) + ")", nil
}

func when(filter, value string) string {
	if filter == "" {
		return value
	}
	return "CASE WHEN " + filter + " THEN " + value + " END"
}

// primaryKey is the expression of the cube's primary key, needed to count
// its rows once when a join repeats them.
func (c *compiler) primaryKey(ms *Measure, by *Join) (string, error) {
	for _, d := range ms.Cube.Dimensions {
		if d.PrimaryKey {
			return c.dimSQL(d)
		}
	}
	return "", queryErr("measures", "%s.%s: the join %s repeats rows of cube %s, which needs a dimension with primary_key: true to count them once",
		ms.Cube.Name, ms.Name, by.describe(), ms.Cube.Name)
}

// condSQL renders a filter.
func (c *compiler) condSQL(x *cond) (string, error) {
	if x.leaf == nil {
		parts := make([]string, 0, len(x.children))
		for _, ch := range x.children {
			s, err := c.condSQL(ch)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		return "(" + strings.Join(parts, " "+strings.ToUpper(x.logic)+" ") + ")", nil
	}
	l := x.leaf
	var expr string
	var err error
	if l.measure != nil {
		expr, err = c.measureSQL(l.measure)
	} else {
		expr, err = c.dimSQL(l.dim)
	}
	if err != nil {
		return "", err
	}
	return c.leafSQL(l, expr), nil
}

// literals renders a leaf's parsed values.
func (c *compiler) literals(l *leaf) []string {
	var out []string
	for _, s := range l.strs {
		out = append(out, c.d.str(s))
	}
	out = append(out, l.nums...)
	for _, t := range l.times {
		out = append(out, c.d.timestamp(t))
	}
	for _, b := range l.bools {
		out = append(out, c.d.boolean(b))
	}
	return out
}

var comparisons = map[string]string{
	"gt": ">", "gte": ">=", "lt": "<", "lte": "<=",
	"beforeDate": "<", "beforeOrOnDate": "<=", "afterDate": ">", "afterOrOnDate": ">=",
}

func (c *compiler) leafSQL(l *leaf, expr string) string {
	lits := c.literals(l)
	switch l.op {
	case "set":
		return expr + " IS NOT NULL"
	case "notSet":
		return expr + " IS NULL"
	case "equals":
		var parts []string
		if len(lits) > 0 {
			parts = append(parts, inList(expr, lits, false))
		}
		if l.null {
			parts = append(parts, expr+" IS NULL")
		}
		return orParts(parts)
	case "notEquals":
		return negated(expr, []string{inList(expr, lits, true)}, len(lits) > 0, l.null)
	case "contains", "startsWith", "endsWith":
		var parts []string
		for _, s := range l.strs {
			parts = append(parts, c.d.like(expr, pattern(l.op, s), false))
		}
		return orParts(parts)
	case "notContains", "notStartsWith", "notEndsWith":
		var parts []string
		for _, s := range l.strs {
			parts = append(parts, c.d.like(expr, pattern(strings.ToLower(l.op[3:4])+l.op[4:], s), true))
		}
		return negated(expr, parts, len(parts) > 0, l.null)
	case "inDateRange":
		return fmt.Sprintf("(%s >= %s AND %s <= %s)", expr, c.d.timestamp(l.rng.from), expr, c.d.timestamp(l.rng.to))
	case "notInDateRange":
		return fmt.Sprintf("(%s < %s OR %s > %s)", expr, c.d.timestamp(l.rng.from), expr, c.d.timestamp(l.rng.to))
	}
	return expr + " " + comparisons[l.op] + " " + lits[0]
}

func pattern(op, value string) string {
	value = likeEscape(value)
	switch op {
	case "startsWith":
		return value + "%"
	case "endsWith":
		return "%" + value
	}
	return "%" + value + "%"
}

func inList(expr string, lits []string, not bool) string {
	if len(lits) == 1 {
		if not {
			return expr + " <> " + lits[0]
		}
		return expr + " = " + lits[0]
	}
	op := " IN ("
	if not {
		op = " NOT IN ("
	}
	return expr + op + strings.Join(lits, ", ") + ")"
}

func orParts(parts []string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// negated renders a negative filter. Cube counts NULL as "not equal" unless
// the values include null, which then excludes NULL instead.
func negated(expr string, parts []string, hasParts, nullGiven bool) string {
	if !hasParts {
		return expr + " IS NOT NULL"
	}
	body := strings.Join(parts, " AND ")
	if len(parts) > 1 {
		body = "(" + body + ")"
	}
	if nullGiven {
		return "(" + body + " AND " + expr + " IS NOT NULL)"
	}
	return "(" + body + " OR " + expr + " IS NULL)"
}
