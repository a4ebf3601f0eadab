package chaos

import (
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
	"text/tabwriter"
)

// outcome is one scenario's figures, as the harness reports them.
type outcome struct {
	Scenario   string
	Runs       int
	Passed     int
	Lost       int64
	Duplicated int64
	// Note says what else a reader should know (faults injected, files cleaned).
	Note string
}

var (
	outcomesMu sync.Mutex
	outcomes   []outcome
)

// report prints the scenario's line and keeps it for the final table.
func report(o outcome) {
	outcomesMu.Lock()
	defer outcomesMu.Unlock()
	outcomes = append(outcomes, o)
	line := fmt.Sprintf("%s: runs %d, passed %d, rows lost %d, rows duplicated %d", o.Scenario, o.Runs, o.Passed, o.Lost, o.Duplicated)
	if o.Note != "" {
		line += " (" + o.Note + ")"
	}
	fmt.Println(line)
	if path := os.Getenv("CHAOS_REPORT"); path != "" {
		if err := appendLine(path, line); err != nil {
			fmt.Fprintln(os.Stderr, "chaos: write CHAOS_REPORT:", err)
		}
	}
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, line); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// printTable writes every reported scenario as one table.
func printTable(w io.Writer) error {
	outcomesMu.Lock()
	defer outcomesMu.Unlock()
	if len(outcomes) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nscenario\truns\tpassed\trows lost\trows duplicated\tnote")
	for _, o := range outcomes {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\n", o.Scenario, o.Runs, o.Passed, o.Lost, o.Duplicated, o.Note)
	}
	return tw.Flush()
}

// settle adds run r's comparison of the lake with the source to the
// outcome and counts the run as passed when it succeeded with the lake
// equal to the source; otherwise it fails the test naming what differed.
func (o *outcome) settle(t *testing.T, r int, final map[string]any, got tally) {
	t.Helper()
	o.Lost += got.Lost
	o.Duplicated += got.Duplicated
	if final["status"] != "succeeded" || len(got.Mismatches) > 0 {
		t.Errorf("run %d: status %v (error %v); lake against source: %v", r, final["status"], final["error"], got.Mismatches)
		return
	}
	o.Passed++
}
