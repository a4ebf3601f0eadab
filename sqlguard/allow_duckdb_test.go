package sqlguard

import "testing"

// TestDuckDBAllowlistIsConsistent: the deny list is checked first, so an
// allowlisted name it refuses would be dead weight at best and a sign the
// two lists disagree at worst.
func TestDuckDBAllowlistIsConsistent(t *testing.T) {
	for name := range duckdbAllowed {
		if why := duckdbFuncs.refusal(name); why != "" {
			t.Errorf("%s is on the allowlist but refused: %s", name, why)
		}
	}
}
