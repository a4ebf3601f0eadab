package observability

import (
	"strings"
	"testing"
)

// FuzzParseSchemaField checks that any schema_field info_value is refused or
// read as a non-empty name and a non-empty type without a dash, trimmed, that
// the value spells out in that order.
func FuzzParseSchemaField(f *testing.F) {
	for _, s := range []string{"id-INTEGER", "created-at-TIMESTAMP", " name - VARCHAR(20) ", "id", "-INT", "id-", "-", "",
		"a--b", "ü-ñ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		name, typ, err := ParseSchemaField(s)
		if err != nil {
			return
		}
		switch {
		case name == "" || typ == "" || strings.Contains(typ, "-"):
			t.Fatalf("ParseSchemaField(%q) = name %q, type %q", s, name, typ)
		case name != strings.TrimSpace(name) || typ != strings.TrimSpace(typ):
			t.Fatalf("ParseSchemaField(%q) did not trim: name %q, type %q", s, name, typ)
		case !strings.Contains(s, name) || !strings.HasSuffix(strings.TrimSpace(s), typ):
			t.Fatalf("ParseSchemaField(%q) = name %q, type %q: not what the value says", s, name, typ)
		}
	})
}
