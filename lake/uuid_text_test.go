package lake

import "testing"

func TestParseCanonicalUUID(t *testing.T) {
	var u [16]byte
	if !parseCanonicalUUID(&u, []byte("A0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1F")) ||
		u != [16]byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x1f} {
		t.Fatalf("parsed % x", u)
	}
	for _, bad := range []string{"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1\x10",
		"a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", "a0eebc99x9c0b-4ef8-bb6d-6bb9bd380a11"} {
		if parseCanonicalUUID(&u, []byte(bad)) {
			t.Errorf("%q parsed as % x", bad, u)
		}
	}
}
