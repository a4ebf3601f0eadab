package semantic

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// cond is a filter: a leaf on one member, or an and/or of filters.
type cond struct {
	logic    string // "and", "or", or "" for a leaf
	children []*cond
	leaf     *leaf
}

// leaf is a filter on one member with its values checked and parsed.
type leaf struct {
	field   string
	name    string
	measure *Measure
	dim     *Dimension
	op      string
	strs    []string    // string values (contains, equals on strings)
	nums    []string    // numeric values, normalized
	times   []time.Time // instants (date operators, equals on time)
	bools   []bool
	null    bool // values held a null
	rng     timeRange
}

// operatorSpec says which members an operator applies to and how many values it takes.
type operatorSpec struct {
	measures  bool
	dimTypes  string // space-separated dimension types
	minValues int
	maxValues int // 0: no maximum
}

var operators = map[string]operatorSpec{
	"equals":         {measures: true, dimTypes: "string number time boolean", minValues: 1},
	"notEquals":      {measures: true, dimTypes: "string number time boolean", minValues: 1},
	"contains":       {dimTypes: "string", minValues: 1},
	"notContains":    {dimTypes: "string", minValues: 1},
	"startsWith":     {dimTypes: "string", minValues: 1},
	"notStartsWith":  {dimTypes: "string", minValues: 1},
	"endsWith":       {dimTypes: "string", minValues: 1},
	"notEndsWith":    {dimTypes: "string", minValues: 1},
	"gt":             {measures: true, dimTypes: "number", minValues: 1, maxValues: 1},
	"gte":            {measures: true, dimTypes: "number", minValues: 1, maxValues: 1},
	"lt":             {measures: true, dimTypes: "number", minValues: 1, maxValues: 1},
	"lte":            {measures: true, dimTypes: "number", minValues: 1, maxValues: 1},
	"set":            {measures: true, dimTypes: "string number time boolean"},
	"notSet":         {measures: true, dimTypes: "string number time boolean"},
	"inDateRange":    {dimTypes: "time", minValues: 1, maxValues: 2},
	"notInDateRange": {dimTypes: "time", minValues: 1, maxValues: 2},
	"beforeDate":     {dimTypes: "time", minValues: 1, maxValues: 1},
	"beforeOrOnDate": {dimTypes: "time", minValues: 1, maxValues: 1},
	"afterDate":      {dimTypes: "time", minValues: 1, maxValues: 1},
	"afterOrOnDate":  {dimTypes: "time", minValues: 1, maxValues: 1},
}

// addFilters checks the query's filters and sorts them into WHERE (on
// dimensions) and HAVING (on measures) conditions.
func (p *plan) addFilters(m *Model, filters []Filter) error {
	count := 0
	for i, f := range filters {
		field := fmt.Sprintf("filters[%d]", i)
		c, onMeasures, err := p.filter(m, field, f, 1, &count)
		if err != nil {
			return err
		}
		if onMeasures {
			p.having = append(p.having, c)
		} else {
			p.where = append(p.where, c)
		}
		p.norm.Filters = append(p.norm.Filters, normalizeFilter(f))
	}
	return nil
}

// filter checks one filter; onMeasures says whether it filters measures.
func (p *plan) filter(m *Model, field string, f Filter, depth int, count *int) (*cond, bool, error) {
	*count++
	if *count > MaxFilters {
		return nil, false, queryErr(field, "the query has more than %d filters", MaxFilters)
	}
	if depth > maxFilterDepth {
		return nil, false, queryErr(field, "filters nest more than %d deep", maxFilterDepth)
	}
	logic, children := "", []Filter(nil)
	switch {
	case f.And != nil && f.Or != nil:
		return nil, false, queryErr(field, "a filter has either and or or, not both")
	case f.And != nil:
		logic, children = "and", f.And
	case f.Or != nil:
		logic, children = "or", f.Or
	}
	if logic != "" {
		if f.Member != "" || f.Dimension != "" || f.Operator != "" || f.Values != nil {
			return nil, false, queryErr(field, "a logical filter holds only %s", logic)
		}
		if len(children) == 0 {
			return nil, false, queryErr(field+"."+logic, "must hold at least one filter")
		}
		c := &cond{logic: logic}
		onMeasures := false
		for i, child := range children {
			cc, childOnMeasures, err := p.filter(m, fmt.Sprintf("%s.%s[%d]", field, logic, i), child, depth+1, count)
			if err != nil {
				return nil, false, err
			}
			if i > 0 && childOnMeasures != onMeasures {
				return nil, false, queryErr(field, "an %s cannot mix filters on measures with filters on dimensions", logic)
			}
			onMeasures = childOnMeasures
			c.children = append(c.children, cc)
		}
		return c, onMeasures, nil
	}
	l, err := p.leaf(m, field, f)
	if err != nil {
		return nil, false, err
	}
	return &cond{leaf: l}, l.measure != nil, nil
}

func (p *plan) leaf(m *Model, field string, f Filter) (*leaf, error) {
	name := f.Member
	if name == "" {
		name = f.Dimension
	}
	if name == "" {
		return nil, queryErr(field, "a filter needs a member (or and/or)")
	}
	_, member, gran, err := m.lookup(field+".member", name)
	if err != nil {
		return nil, err
	}
	if gran != "" {
		return nil, queryErr(field+".member", "%s: filter on the time dimension itself, without a granularity", name)
	}
	l := &leaf{field: field, name: name, op: f.Operator}
	spec, known := operators[f.Operator]
	if !known {
		return nil, queryErr(field+".operator", "unknown operator %q", f.Operator)
	}
	switch mem := member.(type) {
	case *Measure:
		if !spec.measures {
			return nil, queryErr(field+".operator", "operator %s does not apply to measure %s", f.Operator, name)
		}
		l.measure = mem
	case *Dimension:
		if !strings.Contains(" "+spec.dimTypes+" ", " "+mem.Type+" ") {
			return nil, queryErr(field+".operator", "operator %s does not apply to %s, a %s dimension", f.Operator, name, mem.Type)
		}
		l.dim = mem
	default:
		return nil, queryErr(field+".member", "%s is a segment; put it in segments", name)
	}
	if err := p.leafValues(l, spec, f.Values); err != nil {
		return nil, err
	}
	return l, nil
}

// leafValues checks the number of values and parses each for the member's type.
func (p *plan) leafValues(l *leaf, spec operatorSpec, values Values) error {
	field := l.field + ".values"
	if len(values) > MaxFilterValues {
		return queryErr(field, "has %d values; at most %d are accepted", len(values), MaxFilterValues)
	}
	var present []string
	for _, v := range values {
		if v == nil {
			l.null = true
			continue
		}
		if len(*v) > maxValueLength {
			return queryErr(field, "a value is longer than %d characters", maxValueLength)
		}
		present = append(present, *v)
	}
	if spec.maxValues == 0 && spec.minValues == 0 {
		return nil // set, notSet
	}
	// Cube lets a null stand for "is null" in equals and the negated operators.
	nullOK := l.op == "equals" || l.op == "notEquals" || (strings.HasPrefix(l.op, "not") && !strings.Contains(l.op, "Date"))
	n := len(present)
	if l.null {
		n++
	}
	switch {
	case l.null && !nullOK:
		return queryErr(field, "operator %s does not take null values", l.op)
	case n < spec.minValues:
		return queryErr(field, "operator %s needs at least %d value(s)", l.op, spec.minValues)
	case spec.maxValues > 0 && len(present) > spec.maxValues:
		return queryErr(field, "operator %s takes at most %d value(s)", l.op, spec.maxValues)
	}
	if strings.Contains(l.op, "Date") {
		return p.dateValues(l, present)
	}
	typ := DimensionNumber
	if l.dim != nil {
		typ = l.dim.Type
	}
	for _, v := range present {
		switch typ {
		case DimensionNumber:
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return queryErr(field, "%q is not a number (operator %s on %s)", v, l.op, l.name)
			}
			l.nums = append(l.nums, strconv.FormatFloat(f, 'g', -1, 64))
		case DimensionTime:
			t, err := parseLocal(v, p.loc)
			if err != nil {
				return queryErr(field, "%v (operator %s on %s)", err, l.op, l.name)
			}
			l.times = append(l.times, t)
		case DimensionBoolean:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return queryErr(field, "%q is not true or false (operator %s on %s)", v, l.op, l.name)
			}
			l.bools = append(l.bools, b)
		default:
			l.strs = append(l.strs, v)
		}
	}
	return nil
}

// dateValues parses the values of the date operators. The end of a range
// and the bound of beforeOrOnDate/afterDate are padded to the end of the
// day when given as a bare date, as Cube does.
func (p *plan) dateValues(l *leaf, values []string) error {
	field := l.field + ".values"
	if l.op == "inDateRange" || l.op == "notInDateRange" {
		r, err := absoluteRange(values, p.loc)
		if err != nil {
			return queryErr(field, "%v (operator %s on %s)", err, l.op, l.name)
		}
		l.rng = r
		return nil
	}
	t, err := parseLocal(values[0], p.loc)
	if err != nil {
		return queryErr(field, "%v (operator %s on %s)", err, l.op, l.name)
	}
	if (l.op == "beforeOrOnDate" || l.op == "afterDate") && isDateOnly(values[0]) {
		t = endOf(t, "day")
	}
	l.times = []time.Time{t}
	return nil
}

func normalizeFilter(f Filter) Filter {
	out := Filter{Operator: f.Operator, Values: f.Values, Member: f.Member}
	if out.Member == "" {
		out.Member = f.Dimension
	}
	for _, c := range f.And {
		out.And = append(out.And, normalizeFilter(c))
	}
	for _, c := range f.Or {
		out.Or = append(out.Or, normalizeFilter(c))
	}
	if f.And != nil && out.And == nil {
		out.And = []Filter{}
	}
	return out
}
