package lake

import (
	"fmt"

	"github.com/google/uuid"
)

// setUUIDText parses a UUID's text into the chunk: the canonical form
// (either case) here, other forms (braces, no hyphens, urn:uuid:) through
// the uuid package.
func (a *chunkAppender) setUUIDText(c, row int, text []byte) error {
	var u [16]byte
	if !parseCanonicalUUID(&u, text) {
		parsed, err := uuid.ParseBytes(text)
		if err != nil {
			return fmt.Errorf("%q is not a UUID", text)
		}
		u = parsed
	}
	a.setUUID(c, row, &u)
	return nil
}

// parseCanonicalUUID reads xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
func parseCanonicalUUID(u *[16]byte, s []byte) bool {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false
	}
	bad := byte(0)
	for i, at := range uuidHexAt {
		hi, lo := hexValues[s[at]], hexValues[s[at+1]]
		bad |= hi | lo
		u[i] = hi<<4 | lo&0xf
	}
	return bad < 16
}

// uuidHexAt is where each byte's two hex digits start in the canonical form.
var uuidHexAt = [16]int{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// hexValues maps a hex digit (either case) to its value, other bytes to 0xff.
var hexValues = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i, c := range "0123456789abcdef" {
		t[c] = byte(i)
	}
	for i, c := range "ABCDEF" {
		t[c] = byte(10 + i)
	}
	return t
}()
