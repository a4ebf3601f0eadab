package connectors

import "testing"

func TestParseUnscaled(t *testing.T) {
	cases := []struct {
		text             string
		precision, scale int
		want             int64
		ok               bool
	}{
		{"-12.5", 18, 2, -1250, true},
		{"+12.50", 18, 2, 1250, true},
		{"0", 18, 2, 0, true},
		{".5", 18, 1, 5, true},
		{"1.", 18, 0, 1, true},
		{"000000000000000000000001", 18, 0, 1, true}, // leading zeros are not digits
		{"999999999999999999", 18, 0, 999999999999999999, true},
		{"9999999999999999999", 18, 0, 0, false}, // 19 digits
		{"12.345", 18, 2, 0, false},              // more fraction than the scale
		{"123.4", 4, 2, 0, false},                // past the precision once scaled
		{"", 18, 2, 0, false},
		{"-", 18, 2, 0, false},
		{".", 18, 2, 0, false},
		{"1e5", 18, 0, 0, false},
		{"1.2.3", 18, 2, 0, false},
		{"NaN", 18, 2, 0, false},
	}
	for _, c := range cases {
		got, ok := ParseUnscaled(c.text, c.precision, c.scale)
		gotBytes, okBytes := ParseUnscaled([]byte(c.text), c.precision, c.scale)
		if ok != c.ok || (ok && got != c.want) || got != gotBytes || ok != okBytes {
			t.Errorf("ParseUnscaled(%q, %d, %d) = %d, %v (bytes: %d, %v), want %d, %v", c.text, c.precision, c.scale, got, ok, gotBytes, okBytes, c.want, c.ok)
		}
	}
}
