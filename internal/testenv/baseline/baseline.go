// Package baseline times the outside clients benchmarks compare sluice with.
package baseline

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TimedToNull runs a client command with its output going to the null
// device, keeping only stderr, and returns how long it took. A baseline that
// buffered hundreds of MB in the benchmark's process (CombinedOutput) ran
// 3.5× slower than psql does and flattered the sync.
func TimedToNull(tb testing.TB, cmd *exec.Cmd) time.Duration {
	tb.Helper()
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer devNull.Close()
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = devNull, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		tb.Fatalf("%s: %v: %s", cmd.Path, err, stderr.String())
	}
	return time.Since(start)
}
