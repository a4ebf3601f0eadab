package semantic

import (
	"fmt"
	"regexp"
	"strings"
)

// reference matches the member references of a sql property: {CUBE},
// {member}, {cube}, {cube.member}, {CUBE.member}, optionally written with a
// leading $ as in Cube's JavaScript models.
var reference = regexp.MustCompile(`\$?\{([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\}`)

// bareColumn is a sql property that is only a column name; it is qualified
// with the cube's alias so it stays unambiguous once other cubes are joined.
var bareColumn = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// sqlConstants are bare words that are SQL values, not columns.
var sqlConstants = map[string]bool{
	"true": true, "false": true, "null": true, "current_date": true, "current_timestamp": true,
	"current_time": true, "localtimestamp": true, "localtime": true,
}

// targetKind says what a reference points at.
type targetKind int

const (
	targetCube targetKind = iota + 1
	targetDimension
	targetMeasure
)

// target is a resolved reference.
type target struct {
	kind      targetKind
	cube      *Cube
	dimension *Dimension
	measure   *Measure
}

// part is literal SQL text or a reference.
type part struct {
	text string
	ref  *target
	// raw is the reference as written, for messages.
	raw string
}

// template is a sql property split into literal text and resolved references.
type template struct {
	parts []part
}

// allowed says which members a sql property may reference.
type allowed struct {
	measures bool
}

// compileTemplate splits sql and resolves its references relative to owner.
// A sql that is a bare column name is qualified with {CUBE}.
func (m *Model) compileTemplate(sql string, owner *Cube, ok allowed, where func(msg string) error) (template, error) {
	if bareColumn.MatchString(sql) && owner != nil && !sqlConstants[strings.ToLower(sql)] {
		return template{parts: []part{{ref: &target{kind: targetCube, cube: owner}, raw: "{CUBE}"}, {text: "." + sql}}}, nil
	}
	var t template
	last := 0
	for _, loc := range reference.FindAllStringSubmatchIndex(sql, -1) {
		if loc[0] > last {
			t.parts = append(t.parts, part{text: sql[last:loc[0]]})
		}
		raw := sql[loc[0]:loc[1]]
		first := sql[loc[2]:loc[3]]
		second := ""
		if loc[4] >= 0 {
			second = sql[loc[4]:loc[5]]
		}
		tg, err := m.resolveRef(owner, first, second, ok)
		if err != nil {
			return template{}, where(fmt.Sprintf("%s: %v", raw, err))
		}
		t.parts = append(t.parts, part{ref: tg, raw: raw})
		last = loc[1]
	}
	if last < len(sql) {
		t.parts = append(t.parts, part{text: sql[last:]})
	}
	return t, nil
}

// resolveRef finds what {first} or {first.second} means inside owner.
func (m *Model) resolveRef(owner *Cube, first, second string, ok allowed) (*target, error) {
	if owner == nil {
		return nil, fmt.Errorf("references are not supported here")
	}
	cube := owner
	name := first
	if second == "" {
		if first == "CUBE" {
			return &target{kind: targetCube, cube: owner}, nil
		}
		if _, isMember := owner.members[first]; !isMember {
			if other, isCube := m.byName[first]; isCube {
				return &target{kind: targetCube, cube: other}, nil
			}
			return nil, fmt.Errorf("%s is neither a member of cube %s nor a cube", first, owner.Name)
		}
	} else {
		if first != "CUBE" {
			other, isCube := m.byName[first]
			if !isCube {
				return nil, fmt.Errorf("there is no cube %s", first)
			}
			cube = other
		}
		name = second
	}
	switch mem := cube.members[name].(type) {
	case *Dimension:
		return &target{kind: targetDimension, cube: cube, dimension: mem}, nil
	case *Measure:
		if !ok.measures {
			return nil, fmt.Errorf("%s.%s is a measure; only dimensions can be referenced here", cube.Name, name)
		}
		return &target{kind: targetMeasure, cube: cube, measure: mem}, nil
	case *Segment:
		return nil, fmt.Errorf("%s.%s is a segment and cannot be referenced", cube.Name, name)
	}
	return nil, fmt.Errorf("cube %s has no member %s", cube.Name, name)
}

// render writes the template, asking expand for the SQL of each reference.
func (t template) render(expand func(*target) (string, error)) (string, error) {
	var b strings.Builder
	for _, p := range t.parts {
		if p.ref == nil {
			b.WriteString(p.text)
			continue
		}
		s, err := expand(p.ref)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// refs returns the template's references.
func (t template) refs() []*target {
	var out []*target
	for _, p := range t.parts {
		if p.ref != nil {
			out = append(out, p.ref)
		}
	}
	return out
}
