package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action     string
	Package    string
	Test       string
	Elapsed    float64
	Output     string
	ImportPath string
}

// summary turns the event stream into readable output and remembers timings.
type summary struct {
	out     io.Writer
	pending map[string][]string // output of running tests, printed only if they fail
	timings []timing
	pkgs    []timing
	failed  bool
}

type timing struct {
	name    string
	seconds float64
}

func newSummary(out io.Writer) *summary {
	return &summary{out: out, pending: map[string][]string{}}
}

// line handles one line of go test's stdout; a line that is not an event
// (a test binary writing to stdout directly) is printed as it is.
func (s *summary) line(b []byte) {
	var e event
	if err := json.Unmarshal(b, &e); err != nil || e.Action == "" {
		fmt.Fprintf(s.out, "%s\n", b)
		return
	}
	key := e.Package + " " + e.Test
	switch e.Action {
	case "build-output":
		fmt.Fprint(s.out, e.Output)
	case "build-fail":
		s.failed = true
	case "output":
		if e.Test != "" {
			s.pending[key] = append(s.pending[key], e.Output)
			return
		}
		if packageNoise(e.Output) {
			return
		}
		fmt.Fprint(s.out, e.Output)
	case "pass", "skip":
		if e.Test == "" && e.Action == "pass" {
			s.pkgs = append(s.pkgs, timing{name: e.Package, seconds: e.Elapsed})
		}
		if e.Test != "" {
			if e.Action == "pass" && !strings.Contains(e.Test, "/") {
				s.timings = append(s.timings, timing{name: e.Package + "." + e.Test, seconds: e.Elapsed})
			}
			delete(s.pending, key)
		}
	case "fail":
		s.failed = true
		if e.Test == "" {
			s.pkgs = append(s.pkgs, timing{name: e.Package, seconds: e.Elapsed})
		}
		if e.Test != "" {
			if !strings.Contains(e.Test, "/") {
				s.timings = append(s.timings, timing{name: e.Package + "." + e.Test, seconds: e.Elapsed})
			}
			for _, o := range s.pending[key] {
				fmt.Fprint(s.out, o)
			}
			delete(s.pending, key)
		}
	}
}

// packageNoise is the package-level output a plain go test does not print.
func packageNoise(o string) bool {
	return o == "PASS\n" || strings.HasPrefix(o, "=== ") || strings.HasPrefix(o, "testing: warning: no tests to run")
}

// printSlowest prints the n slowest top-level tests and packages, slowest
// first: where the suite's time goes, so it can be kept short.
func (s *summary) printSlowest(n int) {
	printTop(s.out, "tests", s.timings, n)
	printTop(s.out, "packages", s.pkgs, n)
}

func printTop(out io.Writer, what string, ts []timing, n int) {
	if len(ts) == 0 || n <= 0 {
		return
	}
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].seconds > ts[j].seconds })
	if len(ts) > n {
		ts = ts[:n]
	}
	fmt.Fprintf(out, "\nslowest %d %s:\n", len(ts), what)
	for _, t := range ts {
		fmt.Fprintf(out, "%8.1fs  %s\n", t.seconds, t.name)
	}
}
