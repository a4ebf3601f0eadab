package semantic

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // query time zones resolve the same on every host
)

// selected is one output column.
type selected struct {
	key     string // as in data rows: cube.member or cube.member.granularity
	alias   string
	kind    string // measures, dimensions or timeDimensions
	measure *Measure
	dim     *Dimension
	gran    string
}

// plan is a query resolved against a model: every member found, every
// operator checked against its member's type, every value parsed.
type plan struct {
	columns    []*selected
	segments   []*Segment
	where      []*cond
	having     []*cond
	dateRanges []dateRange
	order      []orderBy
	limit      int
	offset     int
	loc        *time.Location
	now        time.Time
	norm       NormalizedQuery
}

type dateRange struct {
	dim *Dimension
	r   timeRange
}

type orderBy struct {
	col  *selected
	desc bool
}

// zoneName is what a time zone name may look like before it is looked up;
// the name is also written into SQL, so nothing else is let through.
var zoneName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$`)

// newPlan resolves q against m.
func newPlan(m *Model, q *Query, now time.Time) (*plan, error) {
	p := &plan{now: now, loc: time.UTC, norm: NormalizedQuery{Timezone: "UTC", QueryType: "regularQuery",
		Measures: []string{}, Dimensions: []string{}, Segments: []string{}, TimeDimensions: []NormalizedTimeDimension{},
		Filters: []Filter{}, Order: []NormalizedOrder{}}}
	if err := p.options(q); err != nil {
		return nil, err
	}
	if n := len(q.Measures) + len(q.Dimensions) + len(q.TimeDimensions) + len(q.Segments); n > MaxQueryMembers {
		return nil, queryErr("", "the query names %d members; at most %d are accepted", n, MaxQueryMembers)
	}
	for i, name := range q.Dimensions {
		if err := p.addDimension(m, fmt.Sprintf("dimensions[%d]", i), name); err != nil {
			return nil, err
		}
	}
	for i, td := range q.TimeDimensions {
		if err := p.addTimeDimension(m, fmt.Sprintf("timeDimensions[%d]", i), td); err != nil {
			return nil, err
		}
	}
	for i, name := range q.Measures {
		if err := p.addMeasure(m, fmt.Sprintf("measures[%d]", i), name); err != nil {
			return nil, err
		}
	}
	for i, name := range q.Segments {
		field := fmt.Sprintf("segments[%d]", i)
		_, member, _, err := m.lookup(field, name)
		if err != nil {
			return nil, err
		}
		seg, ok := member.(*Segment)
		if !ok {
			return nil, queryErr(field, "%s is a %s, not a segment", name, kindOf(member))
		}
		p.segments = append(p.segments, seg)
		p.norm.Segments = append(p.norm.Segments, name)
	}
	if len(p.columns) == 0 {
		return nil, queryErr("", "the query selects nothing; name at least one measure, dimension or time dimension with a granularity")
	}
	if err := p.addFilters(m, q.Filters); err != nil {
		return nil, err
	}
	if err := p.setOrder(q.Order); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *plan) options(q *Query) error {
	switch {
	case q.Total:
		return queryErr("total", "total is not supported; run a second query with a count measure")
	case q.Ungrouped:
		return queryErr("ungrouped", "ungrouped queries are not supported")
	}
	if q.Timezone != "" {
		if !zoneName.MatchString(q.Timezone) {
			return queryErr("timezone", "%q is not a time zone name", q.Timezone)
		}
		loc, err := time.LoadLocation(q.Timezone)
		if err != nil {
			return queryErr("timezone", "%q is not a known time zone (want a TZ database name such as America/Los_Angeles)", q.Timezone)
		}
		p.loc = loc
		p.norm.Timezone = q.Timezone
	}
	p.limit = DefaultLimit
	if q.Limit != nil {
		if *q.Limit < 1 || *q.Limit > MaxLimit {
			return queryErr("limit", "must be between 1 and %d", MaxLimit)
		}
		p.limit = *q.Limit
	}
	if q.Offset != nil {
		if *q.Offset < 0 || *q.Offset > 10_000_000 {
			return queryErr("offset", "must be between 0 and 10000000")
		}
		p.offset = *q.Offset
	}
	p.norm.Limit, p.norm.RowLimit, p.norm.Offset = p.limit, p.limit, p.offset
	return nil
}

// lookup finds cube.member or cube.member.granularity.
func (m *Model) lookup(field, name string) (*Cube, any, string, error) {
	parts := strings.Split(name, ".")
	if len(parts) < 2 || len(parts) > 3 || name == "" {
		return nil, nil, "", queryErr(field, "%q is not a member name (want cube.member)", name)
	}
	c, ok := m.byName[parts[0]]
	if !ok {
		return nil, nil, "", queryErr(field, "unknown member %s: there is no cube %s", name, parts[0])
	}
	member, ok := c.members[parts[1]]
	if !ok {
		return nil, nil, "", queryErr(field, "unknown member %s: cube %s has no member %s", name, c.Name, parts[1])
	}
	if len(parts) == 3 {
		d, isDim := member.(*Dimension)
		if !isDim || d.Type != DimensionTime {
			return nil, nil, "", queryErr(field, "%s: only time dimensions take a granularity", name)
		}
		if !granularities[parts[2]] {
			return nil, nil, "", queryErr(field, "%s: unknown granularity %q (want second, minute, hour, day, week, month, quarter or year)", name, parts[2])
		}
		return c, member, parts[2], nil
	}
	return c, member, "", nil
}

func kindOf(member any) string {
	switch member.(type) {
	case *Measure:
		return "measure"
	case *Dimension:
		return "dimension"
	}
	return "segment"
}

func (p *plan) addDimension(m *Model, field, name string) error {
	_, member, gran, err := m.lookup(field, name)
	if err != nil {
		return err
	}
	d, ok := member.(*Dimension)
	if !ok {
		return queryErr(field, "%s is a %s, not a dimension; put it in %ss", name, kindOf(member), kindOf(member))
	}
	p.norm.Dimensions = append(p.norm.Dimensions, name)
	kind := "dimensions"
	if gran != "" {
		kind = "timeDimensions"
	}
	p.add(&selected{key: name, kind: kind, dim: d, gran: gran})
	return nil
}

func (p *plan) addMeasure(m *Model, field, name string) error {
	_, member, _, err := m.lookup(field, name)
	if err != nil {
		return err
	}
	ms, ok := member.(*Measure)
	if !ok {
		return queryErr(field, "%s is a %s, not a measure; put it in %ss", name, kindOf(member), kindOf(member))
	}
	p.norm.Measures = append(p.norm.Measures, name)
	p.add(&selected{key: name, kind: "measures", measure: ms})
	return nil
}

func (p *plan) addTimeDimension(m *Model, field string, td TimeDimension) error {
	if len(td.CompareDateRange) > 0 {
		return queryErr(field+".compareDateRange", "compareDateRange is not supported; run one query per range")
	}
	_, member, _, err := m.lookup(field+".dimension", td.Dimension)
	if err != nil {
		return err
	}
	d, ok := member.(*Dimension)
	if !ok || d.Type != DimensionTime {
		return queryErr(field+".dimension", "%s is not a time dimension", td.Dimension)
	}
	norm := NormalizedTimeDimension{Dimension: td.Dimension}
	if td.Granularity != nil {
		gran := *td.Granularity
		if !granularities[gran] {
			return queryErr(field+".granularity", "unknown granularity %q (want second, minute, hour, day, week, month, quarter or year)", gran)
		}
		norm.Granularity = gran
		p.add(&selected{key: td.Dimension + "." + gran, kind: "timeDimensions", dim: d, gran: gran})
	}
	if td.DateRange.Set {
		r, err := resolveRange(td.DateRange, p.loc, p.now)
		if err != nil {
			return queryErr(field+".dateRange", "%v", err)
		}
		p.dateRanges = append(p.dateRanges, dateRange{dim: d, r: r})
		norm.DateRange = []string{r.from.Format(localLayout), r.to.Format(localLayout)}
	}
	p.norm.TimeDimensions = append(p.norm.TimeDimensions, norm)
	return nil
}

// add appends a column unless the same member (and granularity) is already selected.
func (p *plan) add(s *selected) {
	for _, c := range p.columns {
		if c.key == s.key {
			return
		}
	}
	owner, member := "", ""
	if s.measure != nil {
		owner, member = s.measure.Cube.Name, s.measure.Name
	} else {
		owner, member = s.dim.Cube.Name, s.dim.Name
	}
	s.alias = owner + "__" + member
	if s.gran != "" {
		s.alias += "_" + s.gran
	}
	p.columns = append(p.columns, s)
}

func (p *plan) setOrder(o Order) error {
	if !o.Set {
		p.order = p.defaultOrder()
	}
	for i, item := range o.Items {
		col := p.orderColumn(item.Member)
		if col == nil {
			return queryErr(fmt.Sprintf("order[%d]", i), "%s is not selected by the query; order by a selected member", item.Member)
		}
		p.order = append(p.order, orderBy{col: col, desc: item.Desc})
	}
	for _, o := range p.order {
		p.norm.Order = append(p.norm.Order, NormalizedOrder{ID: o.col.key, Desc: o.desc})
	}
	return nil
}

// orderColumn finds the column an order key means; a time dimension named
// without granularity means its first grouped column.
func (p *plan) orderColumn(member string) *selected {
	for _, c := range p.columns {
		if c.key == member {
			return c
		}
	}
	for _, c := range p.columns {
		if c.gran != "" && strings.TrimSuffix(c.key, "."+c.gran) == member {
			return c
		}
	}
	return nil
}

// defaultOrder is Cube's: the first time dimension with a granularity
// ascending, else the first measure descending, else the first dimension.
func (p *plan) defaultOrder() []orderBy {
	if i := slices.IndexFunc(p.columns, func(c *selected) bool { return c.gran != "" }); i >= 0 {
		return []orderBy{{col: p.columns[i]}}
	}
	if i := slices.IndexFunc(p.columns, func(c *selected) bool { return c.measure != nil }); i >= 0 {
		return []orderBy{{col: p.columns[i], desc: true}}
	}
	return []orderBy{{col: p.columns[0]}}
}
