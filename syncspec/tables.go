package syncspec

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// identifier is what sluice accepts as a destination schema or table name:
// it must be usable unquoted in the lake's SQL.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// ValidIdentifier reports whether s can name a lake schema or table.
func ValidIdentifier(s string) bool { return identifier.MatchString(s) }

// TableSelector selects source tables: an exact "schema.table", or a glob on
// the table name within one schema ("public.*", "public.order_*").
type TableSelector struct {
	Schema string
	// Pattern is the table name or a glob (path.Match syntax).
	Pattern string
}

// IsGlob reports whether the selector is expanded against the source's tables.
func (s TableSelector) IsGlob() bool { return strings.ContainsAny(s.Pattern, "*?[") }

// Matches reports whether the selector selects schema.table.
func (s TableSelector) Matches(schema, table string) bool {
	if schema != s.Schema {
		return false
	}
	if !s.IsGlob() {
		return table == s.Pattern // a backslash in an exact name is part of it, not an escape
	}
	ok, _ := path.Match(s.Pattern, table)
	return ok
}

func (s TableSelector) String() string { return s.Schema + "." + s.Pattern }

// maxSelectorLength bounds one table entry.
const maxSelectorLength = 300

// ParseTableSelector parses "schema.table" or "schema.<glob>".
func ParseTableSelector(s string) (TableSelector, error) {
	if s == "" || len(s) > maxSelectorLength {
		return TableSelector{}, fmt.Errorf("table %q must be 1 to %d characters", s, maxSelectorLength)
	}
	schema, pattern, ok := strings.Cut(s, ".")
	if !ok || schema == "" || pattern == "" {
		return TableSelector{}, fmt.Errorf("table %q must be schema.table or schema.* ", s)
	}
	if strings.ContainsAny(schema, "*?[]") {
		return TableSelector{}, fmt.Errorf("table %q: the schema cannot be a pattern", s)
	}
	if _, err := path.Match(pattern, ""); err != nil {
		return TableSelector{}, fmt.Errorf("table %q: bad pattern: %v", s, err)
	}
	return TableSelector{Schema: schema, Pattern: pattern}, nil
}

// DestTableName turns a source table name into a lake table name: lower
// case, anything outside [a-z0-9_] replaced by '_', prefixed if it starts
// with a digit.
func DestTableName(source string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(source) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	name := b.String()
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		name = "t_" + name
	}
	if len(name) > 63 {
		name = name[:63]
	}
	return name
}
