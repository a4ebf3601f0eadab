package semantic

import (
	"fmt"
	"strings"
)

// resolve compiles every sql property's references, checks join targets
// and refuses reference cycles, so a model that parses can always compile.
func (m *Model) resolve() error {
	for _, c := range m.Cubes {
		if err := m.resolveCube(c); err != nil {
			return err
		}
	}
	for _, c := range m.Cubes {
		for _, d := range c.Dimensions {
			if err := checkCycle(&target{kind: targetDimension, cube: c, dimension: d}, nil); err != nil {
				return memberError(d.Line, c.Name, "dimension", d.Name, err.Error())
			}
		}
		for _, ms := range c.Measures {
			if err := checkCycle(&target{kind: targetMeasure, cube: c, measure: ms}, nil); err != nil {
				return memberError(ms.Line, c.Name, "measure", ms.Name, err.Error())
			}
		}
	}
	return nil
}

func (m *Model) resolveCube(c *Cube) error {
	var err error
	if c.SQL != "" {
		// A cube's own sql may not reference members: it defines the rows they read.
		c.sqlTpl, err = m.compileTemplate(c.SQL, nil, allowed{}, func(msg string) error {
			return &ModelError{Line: c.Line, Cube: c.Name, Msg: "sql: " + msg}
		})
		if err != nil {
			return err
		}
	}
	for _, d := range c.Dimensions {
		where := errorAt(d.Line, c.Name, "dimension", d.Name)
		if d.sqlTpl, err = m.compileTemplate(d.SQL, c, allowed{}, where); err != nil {
			return err
		}
	}
	for _, ms := range c.Measures {
		where := errorAt(ms.Line, c.Name, "measure", ms.Name)
		if ms.SQL != "" {
			if ms.sqlTpl, err = m.compileTemplate(ms.SQL, c, allowed{measures: ms.Type == MeasureNumber}, where); err != nil {
				return err
			}
		}
		for _, f := range ms.Filters {
			tpl, err := m.compileTemplate(f, c, allowed{}, where)
			if err != nil {
				return err
			}
			ms.filterTpls = append(ms.filterTpls, tpl)
		}
	}
	for _, s := range c.Segments {
		if s.sqlTpl, err = m.compileTemplate(s.SQL, c, allowed{}, errorAt(s.Line, c.Name, "segment", s.Name)); err != nil {
			return err
		}
	}
	for _, j := range c.Joins {
		if _, ok := m.byName[j.To]; !ok {
			return memberError(j.Line, c.Name, "join", j.To, "there is no cube "+j.To)
		}
		if j.To == c.Name {
			return memberError(j.Line, c.Name, "join", j.To, "a cube cannot join itself")
		}
		if j.sqlTpl, err = m.compileTemplate(j.SQL, c, allowed{}, errorAt(j.Line, c.Name, "join", j.To)); err != nil {
			return err
		}
	}
	return nil
}

// checkCycle follows member references from t and fails if one leads back.
func checkCycle(t *target, path []string) error {
	name := t.cube.Name + "."
	var tpl template
	switch t.kind {
	case targetDimension:
		name += t.dimension.Name
		tpl = t.dimension.sqlTpl
	case targetMeasure:
		name += t.measure.Name
		tpl = t.measure.sqlTpl
	default:
		return nil
	}
	for _, p := range path {
		if p == name {
			return fmt.Errorf("references form a cycle: %s", strings.Join(append(path, name), " → "))
		}
	}
	if len(path) > 32 {
		return fmt.Errorf("references nest more than 32 deep")
	}
	for _, ref := range tpl.refs() {
		if err := checkCycle(ref, append(path, name)); err != nil {
			return err
		}
	}
	return nil
}

func errorAt(line int, cube, kind, member string) func(string) error {
	return func(msg string) error { return memberError(line, cube, kind, member, msg) }
}

func memberError(line int, cube, kind, member, msg string) error {
	return &ModelError{Line: line, Cube: cube, Kind: kind, Member: member, Msg: msg}
}

// humanize turns an identifier into a title: "close_date" → "Close Date".
func humanize(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return r == '_' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}
