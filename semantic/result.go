package semantic

import (
	"fmt"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// Annotation describes the members of an answer, in the shape of Cube's
// /load "annotation".
type Annotation struct {
	Measures       map[string]MemberAnnotation `json:"measures"`
	Dimensions     map[string]MemberAnnotation `json:"dimensions"`
	Segments       map[string]MemberAnnotation `json:"segments"`
	TimeDimensions map[string]MemberAnnotation `json:"timeDimensions"`
}

// MemberAnnotation describes one member.
type MemberAnnotation struct {
	Title       string                 `json:"title"`
	ShortTitle  string                 `json:"shortTitle"`
	Type        string                 `json:"type"`
	Format      string                 `json:"format,omitempty"`
	Description string                 `json:"description,omitempty"`
	Granularity *GranularityAnnotation `json:"granularity,omitempty"`
}

// GranularityAnnotation describes the granularity of a grouped time dimension.
type GranularityAnnotation struct {
	Name     string `json:"name"`
	Title    string `json:"title"`
	Interval string `json:"interval"`
}

func annotate(p *plan) Annotation {
	a := Annotation{
		Measures: map[string]MemberAnnotation{}, Dimensions: map[string]MemberAnnotation{},
		Segments: map[string]MemberAnnotation{}, TimeDimensions: map[string]MemberAnnotation{},
	}
	for _, col := range p.columns {
		switch {
		case col.measure != nil:
			ms := col.measure
			a.Measures[col.key] = member(ms.Cube, ms.Name, ms.Title, "number", ms.Format, ms.Description)
		case col.gran != "":
			d := col.dim
			ann := member(d.Cube, d.Name, d.Title, "time", d.Format, d.Description)
			base := ann
			ann.Granularity = &GranularityAnnotation{Name: col.gran, Title: humanize(col.gran), Interval: "1 " + col.gran}
			a.TimeDimensions[col.key] = ann
			a.TimeDimensions[d.Cube.Name+"."+d.Name] = base
		default:
			d := col.dim
			a.Dimensions[col.key] = member(d.Cube, d.Name, d.Title, d.Type, d.Format, d.Description)
		}
	}
	for _, s := range p.segments {
		a.Segments[s.Cube.Name+"."+s.Name] = member(s.Cube, s.Name, s.Title, "boolean", "", "")
	}
	return a
}

func member(c *Cube, name, title, typ, format, description string) MemberAnnotation {
	short := title
	if short == "" {
		short = humanize(name)
	}
	return MemberAnnotation{Title: c.title() + " " + short, ShortTitle: short, Type: typ, Format: format, Description: description}
}

// Rows shapes a result of the compiled statement into Cube's data rows:
// one object per row keyed by member name, time dimensions written as
// local date-times ("2024-01-01T00:00:00.000") like Cube writes them.
func (c *Compiled) Rows(rs *connectors.ResultSet) ([]map[string]any, error) {
	if len(rs.Columns) != len(c.Columns) {
		return nil, fmt.Errorf("cube query returned %d columns, want %d", len(rs.Columns), len(c.Columns))
	}
	out := make([]map[string]any, 0, len(rs.Rows))
	for _, row := range rs.Rows {
		obj := make(map[string]any, len(c.Columns)+1)
		for i, col := range c.Columns {
			v := row[i]
			if col.Kind == "timeDimensions" {
				v = localTime(v)
			}
			for _, k := range col.Keys {
				obj[k] = v
			}
		}
		out = append(out, obj)
	}
	return out, nil
}

// localTime writes a grouped time value as Cube does. Truncated values are
// already local wall-clock times, so their zone (if any) is not applied.
func localTime(v any) any {
	switch t := v.(type) {
	case time.Time:
		return t.Format(localLayout)
	case connectors.Date:
		return string(t) + "T00:00:00.000"
	case string:
		if parsed, err := parseLocal(t, time.UTC); err == nil {
			return parsed.Format(localLayout)
		}
	}
	return v
}
