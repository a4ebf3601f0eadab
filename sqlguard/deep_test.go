package sqlguard

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// nearLimit are statements nested about as deeply as the guard lets through
// to libpg_query, one for each construct with its own stack cost per level.
func nearLimit() map[string]string {
	rep := func(open string, n int, mid, close string) string {
		return strings.Repeat(open, n) + mid + strings.Repeat(close, n)
	}
	return map[string]string{
		"operators":  "SELECT " + strings.Repeat("1+", maxNesting-1) + "1",
		"casts":      "SELECT 1" + strings.Repeat("::int", maxNesting-1),
		"concat":     "SELECT 'a'" + strings.Repeat(" || 'a'", maxNesting-1),
		"collate":    "SELECT 'a'" + strings.Repeat(` COLLATE "C"`, maxNesting-1),
		"not":        "SELECT " + strings.Repeat("NOT ", maxNesting-1) + "true",
		"joins":      "SELECT 1 FROM t" + strings.Repeat(" JOIN t ON true", maxNesting-1),
		"unions":     "SELECT 1" + strings.Repeat(" UNION SELECT 1", maxNesting-1),
		"calls":      "SELECT " + rep("abs(", maxNesting-1, "1", ")"),
		"arrays":     "SELECT " + rep("ARRAY[", maxNesting-1, "1", "]"),
		"subqueries": "SELECT " + rep("(SELECT ", maxNesting/subqueryWeight, "1", ")"),
		"from":       "SELECT 1 FROM " + rep("(SELECT 1 FROM ", maxNesting/subqueryWeight, "t", ") x"),
		"cases":      "SELECT " + rep("CASE WHEN true THEN ", maxNesting/caseWeight, "1", " END"),
		"mixed":      "SELECT " + rep("(SELECT 1+1+1+1+1+1+1+1+1+", maxNesting/(subqueryWeight+9), "1", ")"),
	}
}

// TestDeepNestingDoesNotCrash parses statements at the nesting limit in a
// child process whose C stack is 1 MiB (Linux's default is 8 MiB), so a stack
// overflow in libpg_query fails this test instead of killing the test binary.
func TestDeepNestingDoesNotCrash(t *testing.T) {
	if os.Getenv("SQLGUARD_DEEP_CHILD") != "" {
		t.Skip("running as the child")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to lower the stack limit with")
	}
	cmd := exec.Command(sh, "-c", `ulimit -s 1024 && exec "$0" -test.run='^TestDeepNestingChild$' -test.v`, os.Args[0])
	cmd.Env = append(os.Environ(), "SQLGUARD_DEEP_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestDeepNestingChild") {
		t.Fatalf("child parsing deep statements with a 1 MiB stack failed: %v\n%.3000s", err, out)
	}
}

// TestDeepNestingChild is the child of TestDeepNestingDoesNotCrash.
func TestDeepNestingChild(t *testing.T) {
	if os.Getenv("SQLGUARD_DEEP_CHILD") == "" {
		t.Skip("only runs as TestDeepNestingDoesNotCrash's child")
	}
	// Each must be accepted, which means libpg_query really parsed it.
	for name, sql := range nearLimit() {
		if err := Check(connectors.DialectPostgres, sql); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
