package semantic

import (
	"errors"
	"strings"
	"testing"
)

func TestParseModelSummary(t *testing.T) {
	m := loadTestModel(t)
	s := m.Summary()
	if s.Cubes != 2 || s.Measures != 10 || s.Dimensions != 9 || s.Segments != 1 {
		t.Fatalf("summary = %+v", s)
	}
	if strings.Join(s.CubeNames, ",") != "companies,hubspot_deals" {
		t.Fatalf("cube names = %v", s.CubeNames)
	}
}

func TestParseModelSeveralDocumentsAndWarnings(t *testing.T) {
	src := `cubes:
  - name: a
    sql_table: t_a
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
---
cubes:
  - name: b
    sql_table: t_b
    pre_aggregations:
      - name: main
    measures:
      - {name: count, type: count}
views:
  - name: v
`
	m, err := ParseModel([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Cubes) != 2 || len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "line 14: views") {
		t.Fatalf("cubes %d, warnings %v", len(m.Cubes), m.Warnings)
	}
}

// TestParseModelErrors checks that every refusal names the line, the cube
// and the member.
func TestParseModelErrors(t *testing.T) {
	cube := func(body string) string {
		return "cubes:\n  - name: deals\n    sql_table: crm.deals\n" + body
	}
	cases := []struct {
		name, src, want string
	}{
		{"not yaml", "cubes: [", "not valid YAML"},
		{"no cubes", "{}", "defines no cubes"},
		{"unknown top key", "cubez: []", `line 1: unknown top-level key "cubez"`},
		{"unknown cube key", cube("    sql_tabel: x\n"), `line 4: cube deals: unknown key "sql_tabel"`},
		{"both sql and table", cube("    sql: SELECT 1\n"), "line 2: cube deals: set exactly one of sql_table and sql"},
		{"bad cube name", "cubes:\n  - name: 1deals\n    sql_table: t\n", `line 2: cube name "1deals"`},
		{"unknown measure type", cube("    measures:\n      - name: total\n        type: summ\n        sql: amount\n"),
			`line 6: cube deals, measure total: unknown type "summ"`},
		{"sum without sql", cube("    measures:\n      - name: total\n        type: sum\n"), "line 5: cube deals, measure total: type sum needs sql"},
		{"dimension without type", cube("    dimensions:\n      - name: stage\n        sql: stage\n"), "line 5: cube deals, dimension stage: type is required"},
		{"unknown reference", cube("    dimensions:\n      - name: stage\n        sql: \"{nope}\"\n        type: string\n"),
			"line 5: cube deals, dimension stage: {nope}: nope is neither a member of cube deals nor a cube"},
		{"measure referenced from a dimension", cube("    measures:\n      - {name: count, type: count}\n    dimensions:\n      - name: c\n        sql: \"{count}\"\n        type: number\n"),
			"line 7: cube deals, dimension c: {count}: deals.count is a measure"},
		{"cycle", cube("    dimensions:\n      - {name: a, sql: \"{b}\", type: string}\n      - {name: b, sql: \"{a}\", type: string}\n"),
			"line 5: cube deals, dimension a: references form a cycle: deals.a → deals.b → deals.a"},
		{"join to nowhere", cube("    joins:\n      - name: ghosts\n        relationship: many_to_one\n        sql: \"{CUBE}.g = 1\"\n"),
			"line 5: cube deals, join ghosts: there is no cube ghosts"},
		{"bad relationship", cube("    joins:\n      - name: deals\n        relationship: many\n        sql: x\n"),
			`line 5: cube deals, join deals: relationship "many" is not one of`},
		{"duplicate member", cube("    measures:\n      - {name: count, type: count}\n    dimensions:\n      - {name: count, sql: c, type: number}\n"),
			"line 7: cube deals, dimension count: a member of this name is already defined"},
		{"semicolon", cube("    dimensions:\n      - {name: x, sql: \"1; DROP TABLE t\", type: number}\n"), "must not contain ';'"},
		{"rolling window", cube("    measures:\n      - name: r\n        type: sum\n        sql: a\n        rolling_window: {trailing: 7 day}\n"),
			"line 8: cube deals, measure r: rolling_window is not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseModel([]byte(tc.src))
			var me *ModelError
			if !errors.As(err, &me) {
				t.Fatalf("err = %v, want a *ModelError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseModelLimits(t *testing.T) {
	big := "cubes:\n" + strings.Repeat("  - {name: c, sql_table: t}\n", MaxModelBytes/20)
	if _, err := ParseModel([]byte(big)); err == nil || !strings.Contains(err.Error(), "the limit is") {
		t.Fatalf("oversized model: %v", err)
	}
	var b strings.Builder
	b.WriteString("cubes:\n")
	for i := 0; i <= MaxCubes; i++ {
		b.WriteString("  - {name: c" + strings.Repeat("x", i%5) + itoa(i) + ", sql_table: t}\n")
	}
	if _, err := ParseModel([]byte(b.String())); err == nil || !strings.Contains(err.Error(), "more than 200 cubes") {
		t.Fatalf("too many cubes: %v", err)
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
