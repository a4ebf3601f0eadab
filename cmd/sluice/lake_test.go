package main

import (
	"strings"
	"testing"
)

// TestLakeCommandHelpAndErrors: 'sluice lake --help' and 'sluice lake
// maintain --help' print the usage and exit 0; an unknown action or a
// missing --team is a one-line refusal, before anything is dialled.
func TestLakeCommandHelpAndErrors(t *testing.T) {
	for _, args := range [][]string{{"lake", "--help"}, {"lake", "maintain", "--help"}} {
		res := runCLI(t, nil, args...)
		if res.code != 0 || res.stderr != "" || !strings.Contains(res.stdout, "maintain") || !strings.Contains(res.stdout, "SLUICE_LAKE_SNAPSHOT_RETENTION") {
			t.Errorf("sluice %v: exit %d, stdout %q, stderr %q", args, res.code, res.stdout, res.stderr)
		}
	}
	if res := runCLI(t, nil, "--help"); !strings.Contains(res.stdout, "lake      maintain") {
		t.Errorf("sluice --help does not list the lake command: %q", res.stdout)
	}
	if res := runCLI(t, nil, "lake", "vacuum"); res.code == 0 || !strings.Contains(res.stderr, `unknown action "vacuum"`) {
		t.Errorf("unknown action: exit %d, stderr %q", res.code, res.stderr)
	}
	if res := runCLI(t, nil, "lake", "maintain"); res.code == 0 || !strings.Contains(res.stderr, "--team is required") {
		t.Errorf("no team: exit %d, stderr %q", res.code, res.stderr)
	}
}
