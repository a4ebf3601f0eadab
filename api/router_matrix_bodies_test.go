package api_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// badBodies sends malformed, mistyped, oversized and unknown-field bodies.
func (m *matrix) badBodies(t *testing.T, rt matrixRoute) {
	if !rt.op.body {
		for _, c := range []string{caseMalformed, caseWrongTypes, caseOversized, caseUnknownKeys} {
			m.skip(c, rt, "takes no request body")
		}
		return
	}
	valid := m.request(t, rt, m.caller, m.caller, m.caller.Token, false)
	bodies := map[string][][]byte{}
	size := max(maxBody, rt.spec.limit) + 1024
	if rt.spec.yaml {
		bodies[caseMalformed] = [][]byte{[]byte("cubes: [\n  - name: x\n"), []byte("cubes:\n\t- name: x\n")}
		bodies[caseWrongTypes] = [][]byte{[]byte("cubes: 5\n"), []byte("- cubes\n"), []byte("cubes:\n  - name: [1]\n")}
		bodies[caseOversized] = [][]byte{[]byte("# " + strings.Repeat("x", size) + "\n")}
		bodies[caseUnknownKeys] = [][]byte{append(slices.Clone(valid.body), "colour: red\n"...)}
	} else {
		var fields map[string]any
		if err := json.Unmarshal(valid.body, &fields); err != nil {
			t.Fatalf("the valid body is not a JSON object: %s", valid.body)
		}
		bodies[caseMalformed] = [][]byte{valid.body[:len(valid.body)/2], []byte("{'a': 1}"), append(slices.Clone(valid.body), " {}"...)}
		bodies[caseWrongTypes] = [][]byte{[]byte("null"), []byte("[]"), []byte(`"text"`), []byte("7")}
		for _, v := range mistyped(fields, 0) {
			bodies[caseWrongTypes] = append(bodies[caseWrongTypes], encodeBody(t, v))
		}
		bodies[caseOversized] = [][]byte{[]byte(`{"zz_padding":"` + strings.Repeat("x", size) + `"}`)}
		fields["zz_unknown_field"] = true
		bodies[caseUnknownKeys] = [][]byte{encodeBody(t, fields)}
	}
	for _, c := range []string{caseMalformed, caseWrongTypes, caseOversized, caseUnknownKeys} {
		if c == caseUnknownKeys && rt.spec.lenient != "" {
			m.skip(c, rt, rt.spec.lenient)
			continue
		}
		m.run(t, c, func(t *testing.T) {
			for _, body := range bodies[c] {
				req := valid
				req.body = body
				res, e := m.answer(t, rt, req, 0)
				want := res.Status == http.StatusBadRequest || res.Status == http.StatusUnprocessableEntity
				if c == caseOversized {
					want = res.Status == http.StatusRequestEntityTooLarge
				}
				if !want {
					t.Errorf("%.200s answered %d %s: %.300s", body, res.Status, e.Code, res.Body)
				}
			}
		})
	}
}

// mistyped answers one body per member of v, to a depth of three, with that
// member given a value of another JSON type.
func mistyped(v any, depth int) []any {
	var out []any
	switch x := v.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		for _, k := range keys {
			c := maps.Clone(x)
			c[k] = otherType(x[k])
			out = append(out, c)
			if depth < 2 {
				for _, sub := range mistyped(x[k], depth+1) {
					c := maps.Clone(x)
					c[k] = sub
					out = append(out, c)
				}
			}
		}
	case []any:
		if len(x) > 0 && depth < 2 {
			for _, sub := range mistyped(x[0], depth+1) {
				c := slices.Clone(x)
				c[0] = sub
				out = append(out, c)
			}
		}
	}
	return out
}

// otherType is a JSON value of another type than v.
func otherType(v any) any {
	if _, ok := v.(bool); ok {
		return "not-a-boolean"
	}
	return true
}
