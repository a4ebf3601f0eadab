// Package semantic compiles Cube-format queries against Cube-format YAML
// data models into SQL for the dialect of the integration that runs them, so
// a team can ask for business metrics by name without running a Cube server.
//
// The model format follows Cube's YAML data model (cubes with sql_table or
// sql, measures, dimensions, joins and segments); the query format follows
// Cube's REST API (/cubejs-api/v1/load). What sluice does not implement (pre-
// aggregations are ignored, views, rolling windows and sub-queries are
// refused) is named in the error or warning that meets it.
package semantic

import (
	"fmt"
	"sort"
)

// Limits on what a model may hold, so one upload cannot exhaust the API.
const (
	// MaxModelBytes is the largest model source accepted.
	MaxModelBytes = 512 << 10
	// MaxCubes is the most cubes a model may define.
	MaxCubes = 200
	// MaxMembersPerCube is the most measures, dimensions and segments one cube may define.
	MaxMembersPerCube = 500
	// maxSQLFragment bounds a single sql property.
	maxSQLFragment = 16 << 10
)

// Measure types a model may use.
const (
	MeasureCount               = "count"
	MeasureCountDistinct       = "count_distinct"
	MeasureCountDistinctApprox = "count_distinct_approx"
	MeasureSum                 = "sum"
	MeasureAvg                 = "avg"
	MeasureMin                 = "min"
	MeasureMax                 = "max"
	MeasureNumber              = "number"
)

// Dimension types a model may use.
const (
	DimensionString  = "string"
	DimensionNumber  = "number"
	DimensionTime    = "time"
	DimensionBoolean = "boolean"
)

// Join relationships, in the form Cube's current YAML uses.
const (
	OneToOne  = "one_to_one"
	OneToMany = "one_to_many"
	ManyToOne = "many_to_one"
)

// Model is a parsed and validated data model: a set of cubes.
type Model struct {
	Cubes []*Cube
	// Warnings name the parts of the source that were accepted but ignored.
	Warnings []string
	byName   map[string]*Cube
}

// Cube is a table (or a SQL query) with the measures, dimensions, joins and
// segments defined on it.
type Cube struct {
	Name        string
	Title       string
	Description string
	// SQLTable or SQL (exactly one is set) is what the cube selects from.
	SQLTable   string
	SQL        string
	Joins      []*Join
	Measures   []*Measure
	Dimensions []*Dimension
	Segments   []*Segment
	Line       int

	sqlTpl  template
	members map[string]any // *Measure, *Dimension or *Segment by name
}

// Measure is an aggregate over a cube's rows.
type Measure struct {
	Cube        *Cube
	Name        string
	Type        string
	SQL         string
	Filters     []string
	Title       string
	Description string
	Format      string
	Line        int

	sqlTpl     template
	filterTpls []template
}

// Dimension is an attribute of a cube's rows.
type Dimension struct {
	Cube        *Cube
	Name        string
	Type        string
	SQL         string
	PrimaryKey  bool
	Title       string
	Description string
	Format      string
	Line        int

	sqlTpl template
}

// Segment is a named filter.
type Segment struct {
	Cube  *Cube
	Name  string
	SQL   string
	Title string
	Line  int

	sqlTpl template
}

// Join says how a cube reaches another one.
type Join struct {
	From         *Cube
	To           string
	SQL          string
	Relationship string
	Line         int

	sqlTpl template
}

// Cube returns the named cube.
func (m *Model) Cube(name string) (*Cube, bool) {
	c, ok := m.byName[name]
	return c, ok
}

// Summary counts what the model defines.
type Summary struct {
	Cubes      int      `json:"cubes"`
	Measures   int      `json:"measures"`
	Dimensions int      `json:"dimensions"`
	Segments   int      `json:"segments"`
	CubeNames  []string `json:"cube_names"`
	Warnings   []string `json:"warnings"`
}

// Summary returns the model's counts, cube names sorted.
func (m *Model) Summary() Summary {
	s := Summary{Cubes: len(m.Cubes), CubeNames: []string{}, Warnings: m.Warnings}
	if s.Warnings == nil {
		s.Warnings = []string{}
	}
	for _, c := range m.Cubes {
		s.Measures += len(c.Measures)
		s.Dimensions += len(c.Dimensions)
		s.Segments += len(c.Segments)
		s.CubeNames = append(s.CubeNames, c.Name)
	}
	sort.Strings(s.CubeNames)
	return s
}

// Title returns the cube's title, or one made from its name as Cube does
// ("hubspot_deals" → "Hubspot Deals").
func (c *Cube) title() string {
	if c.Title != "" {
		return c.Title
	}
	return humanize(c.Name)
}

// ModelError is a problem in a model source, with the line it is on and the
// cube and member it belongs to.
type ModelError struct {
	Line   int
	Cube   string
	Kind   string // measure, dimension, segment, join, or empty
	Member string
	Msg    string
}

func (e *ModelError) Error() string {
	where := ""
	if e.Line > 0 {
		where = fmt.Sprintf("line %d: ", e.Line)
	}
	if e.Cube != "" {
		where += "cube " + e.Cube
		if e.Member != "" {
			where += ", " + e.Kind + " " + e.Member
		}
		where += ": "
	}
	return where + e.Msg
}
