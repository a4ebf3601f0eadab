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
	at := 0
	for i := range u {
		if at == 8 || at == 13 || at == 18 || at == 23 {
			at++
		}
		hi, lo := hexValue(s[at]), hexValue(s[at+1])
		if hi > 15 || lo > 15 {
			return false
		}
		u[i] = hi<<4 | lo
		at += 2
	}
	return true
}

// hexValue is a hex digit's value, or 255 for another byte.
func hexValue(b byte) byte {
	switch {
	case b >= '0' && b <= '9':
		return b - '0'
	case b >= 'a' && b <= 'f':
		return b - 'a' + 10
	case b >= 'A' && b <= 'F':
		return b - 'A' + 10
	}
	return 255
}
