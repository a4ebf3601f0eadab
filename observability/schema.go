package observability

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Field is one column of a dataset's schema.
type Field struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Position int    `json:"position"`
}

// Retype is a column whose type changed between two schema versions.
type Retype struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
}

// SchemaChange describes how one schema version differs from the previous.
type SchemaChange struct {
	Added   []Field  `json:"added"`
	Removed []Field  `json:"removed"`
	Retyped []Retype `json:"retyped"`
}

// Empty reports whether nothing changed.
func (c SchemaChange) Empty() bool {
	return len(c.Added) == 0 && len(c.Removed) == 0 && len(c.Retyped) == 0
}

// ParseSchemaField reads a Definity schema_field info_value, "name-TYPE". The
// type follows the last '-', so column names may contain dashes.
func ParseSchemaField(infoValue string) (name, typ string, err error) {
	// Both halves are checked after trimming, so " -INT" and "id- " are
	// refused rather than read as a column without a name or a type.
	if i := strings.LastIndexByte(infoValue, '-'); i >= 0 {
		name, typ = strings.TrimSpace(infoValue[:i]), strings.TrimSpace(infoValue[i+1:])
	}
	if name == "" || typ == "" {
		return "", "", fmt.Errorf("%q is not name-TYPE (e.g. id-INTEGER)", infoValue)
	}
	return name, typ, nil
}

// NormalizeFields orders fields by position (then name) and drops duplicates:
// a name reported twice keeps its last report.
func NormalizeFields(fields []Field) []Field {
	last := map[string]Field{}
	for _, f := range fields {
		last[f.Name] = f
	}
	out := make([]Field, 0, len(last))
	for _, f := range last {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b Field) int {
		if a.Position != b.Position {
			return a.Position - b.Position
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// Fingerprint identifies a schema by its fields' names, types and order, so an
// unchanged schema reported again is recognised. Types compare case-blind.
func Fingerprint(fields []Field) string {
	h := sha256.New()
	for _, f := range fields {
		fmt.Fprintf(h, "%d\x00%s\x00%s\x01", f.Position, f.Name, strings.ToUpper(f.Type))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// DiffSchemas lists the columns added, removed and retyped from before to after.
// A column that only moved is not a change of its own.
func DiffSchemas(before, after []Field) SchemaChange {
	change := SchemaChange{Added: []Field{}, Removed: []Field{}, Retyped: []Retype{}}
	old := map[string]Field{}
	for _, f := range before {
		old[f.Name] = f
	}
	seen := map[string]bool{}
	for _, f := range after {
		seen[f.Name] = true
		prev, ok := old[f.Name]
		switch {
		case !ok:
			change.Added = append(change.Added, f)
		case !strings.EqualFold(prev.Type, f.Type):
			change.Retyped = append(change.Retyped, Retype{Name: f.Name, From: prev.Type, To: f.Type})
		}
	}
	for _, f := range before {
		if !seen[f.Name] {
			change.Removed = append(change.Removed, f)
		}
	}
	return change
}
