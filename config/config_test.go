package config

import (
	"strings"
	"testing"
)

// TestSyncTableParallelismBounds: SLUICE_SYNC_TABLE_PARALLELISM defaults to
// 2 and takes 1 to 32; anything else is an error naming the variable, so
// the process refuses to start rather than run with another value.
func TestSyncTableParallelismBounds(t *testing.T) {
	if c, err := LoadEnv(); err != nil || c.SyncTableParallelism != 2 {
		t.Fatalf("unset: %d, %v; want 2", c.SyncTableParallelism, err)
	}
	t.Setenv("SLUICE_SYNC_TABLE_PARALLELISM", "32")
	if c, err := LoadEnv(); err != nil || c.SyncTableParallelism != 32 {
		t.Fatalf("32: %d, %v", c.SyncTableParallelism, err)
	}
	for _, bad := range []string{"0", "33", "-1", "two"} {
		t.Setenv("SLUICE_SYNC_TABLE_PARALLELISM", bad)
		if _, err := LoadEnv(); err == nil || !strings.Contains(err.Error(), "SLUICE_SYNC_TABLE_PARALLELISM") {
			t.Errorf("%q: %v, want an error naming the variable", bad, err)
		}
	}
}
