package chaos

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/sluice-dev/sluice/db/dbtest"
)

// skipReason is what every test says when the harness is not enabled.
const skipReason = "chaos scenarios run only with SLUICE_CHAOS=1 (make chaos, or make chaos-short); they start processes, a private Postgres and a tmpfs"

// sluiceBin is the sluice binary every scenario runs, built once.
var sluiceBin string

func TestMain(m *testing.M) {
	if !enabled() {
		fmt.Println("chaos: skipped:", skipReason)
		os.Exit(m.Run())
	}
	code, err := runEnabled(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func runEnabled(m *testing.M) (int, error) {
	bin, cleanup, err := binary()
	if err != nil {
		return 0, err
	}
	defer cleanup()
	sluiceBin = bin
	code := m.Run()
	dbtest.DropTemplate()
	if err := printTable(os.Stdout); err != nil {
		return 0, err
	}
	return code, nil
}

// enabled reports whether SLUICE_CHAOS asks for the scenarios to run.
func enabled() bool { return os.Getenv("SLUICE_CHAOS") == "1" }

// needChaos skips t unless the harness is enabled.
func needChaos(t *testing.T) {
	t.Helper()
	if !enabled() {
		t.Skip(skipReason)
	}
}

// chaosRuns is CHAOS_RUNS, or def when it is unset or not a positive number.
func chaosRuns(def int) int {
	if n, err := strconv.Atoi(os.Getenv("CHAOS_RUNS")); err == nil && n > 0 {
		return n
	}
	return def
}

// short reports whether CHAOS_SHORT=1 asks for CI's short form: smaller
// tables, and without the cases that wait out a run's every retry.
func short() bool { return os.Getenv("CHAOS_SHORT") == "1" }

// binary returns SLUICE_CHAOS_BIN (make chaos builds bin/sluice first), or
// builds the command into a temporary directory that cleanup removes.
func binary() (string, func(), error) {
	if bin := os.Getenv("SLUICE_CHAOS_BIN"); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			return "", nil, fmt.Errorf("SLUICE_CHAOS_BIN %s: %w", bin, err)
		}
		return abs, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "sluice-chaos-bin-")
	if err != nil {
		return "", nil, fmt.Errorf("make a directory for the binary: %w", err)
	}
	bin := filepath.Join(dir, "sluice")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/sluice")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, fmt.Errorf("build sluice: %w", err)
	}
	return bin, func() { _ = os.RemoveAll(dir) }, nil
}
