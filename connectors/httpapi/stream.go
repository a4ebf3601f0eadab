package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// Field is one column of a stream: an API object's top-level property and
// the sluice type it is stored as.
type Field struct {
	Name string
	Type connectors.Type
	// UnixTime marks an integer of seconds since the epoch stored as a
	// timestamptz.
	UnixTime bool
}

// String, Int, Bool, Float, UnixTime and JSON describe a field of each kind
// an API object has; JSON holds nested objects, arrays and metadata as text.
func String(name string) Field {
	return Field{Name: name, Type: connectors.Scalar(connectors.KindString)}
}
func Int(name string) Field  { return Field{Name: name, Type: connectors.Scalar(connectors.KindInt)} }
func Bool(name string) Field { return Field{Name: name, Type: connectors.Scalar(connectors.KindBool)} }
func Float(name string) Field {
	return Field{Name: name, Type: connectors.Scalar(connectors.KindFloat)}
}
func JSON(name string) Field { return Field{Name: name, Type: connectors.Scalar(connectors.KindJSON)} }
func UnixTime(name string) Field {
	return Field{Name: name, Type: connectors.Scalar(connectors.KindTimestampTZ), UnixTime: true}
}

// Stream is one list endpoint of an API read as a table.
type Stream struct {
	// Name is the table's name ("customers").
	Name string
	// Comment says what the stream holds, for discovery.
	Comment string
	// Key is the field that identifies an object (its primary key).
	Key string
	// Fields are the columns, in order; Key must be one of them.
	Fields []Field
}

// Columns describes the stream as discovery does a table.
func (s Stream) Columns() []connectors.Column {
	cols := make([]connectors.Column, len(s.Fields))
	for i, f := range s.Fields {
		source := f.Type.String()
		if f.UnixTime {
			source = "unix_time"
		}
		cols[i] = connectors.Column{Name: f.Name, SourceType: source, Type: f.Type, Nullable: f.Name != s.Key,
			PrimaryKey: f.Name == s.Key, Ordinal: i + 1}
	}
	return cols
}

// Field returns the stream's field called name.
func (s Stream) Field(name string) (Field, bool) {
	for _, f := range s.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Projection is the ordered set of fields a read returns.
type Projection []Field

// Project returns the fields named by cols (every field when cols is empty),
// failing on a column the stream does not have.
func (s Stream) Project(cols []connectors.Column) (Projection, error) {
	if len(cols) == 0 {
		return Projection(s.Fields), nil
	}
	out := make(Projection, len(cols))
	for i, c := range cols {
		f, ok := s.Field(c.Name)
		if !ok {
			return nil, fmt.Errorf("%s has no column %s", s.Name, c.Name)
		}
		out[i] = f
	}
	return out, nil
}

// Row turns one API object into a row of p's fields. Absent properties are
// nil; a property of the wrong JSON type is an error naming it.
func (p Projection) Row(object map[string]json.RawMessage) ([]any, error) {
	row := make([]any, len(p))
	for i, f := range p {
		v, err := f.Value(object[f.Name])
		if err != nil {
			return nil, fmt.Errorf("property %s: %w", f.Name, err)
		}
		row[i] = v
	}
	return row, nil
}

// Value converts one JSON property to the field's sluice value.
func (f Field) Value(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	switch {
	case f.UnixTime:
		secs, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not a unix time in seconds", clip(raw))
		}
		return time.Unix(secs, 0).UTC(), nil
	case f.Type.Kind == connectors.KindInt:
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not an integer", clip(raw))
		}
		return n, nil
	case f.Type.Kind == connectors.KindFloat:
		n, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not a number", clip(raw))
		}
		return n, nil
	case f.Type.Kind == connectors.KindBool:
		switch string(raw) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("%s is not a boolean", clip(raw))
	case f.Type.Kind == connectors.KindJSON:
		return connectors.JSON(raw), nil
	}
	return stringValue(raw)
}

// stringValue reads a string; an expandable reference that arrives
// expanded (an object with an id) is stored as its id, anything else as
// its JSON text, so a column keeps one meaning.
func stringValue(raw json.RawMessage) (any, error) {
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("%s is not a string", clip(raw))
		}
		return s, nil
	case '{':
		var ref struct {
			ID *string `json:"id"`
		}
		if json.Unmarshal(raw, &ref) == nil && ref.ID != nil {
			return *ref.ID, nil
		}
	}
	return string(raw), nil
}

func clip(raw []byte) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "…"
	}
	return string(raw)
}
