// Command testsummary runs `go test -json …`, prints what a plain `go test`
// would print (a line per package, the output of failed tests and build
// errors, without the -json event noise), then the ten slowest tests, and
// exits with go test's own exit code so `make test` still fails when a test
// fails. It is a wrapper rather than a pipe filter because make's /bin/sh has
// no pipefail: a filter's exit code would hide go test's.
//
// Usage: go run ./internal/testsummary [-top N] -- go test -json ./...
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
)

func main() {
	top := flag.Int("top", 10, "how many of the slowest tests to print")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: testsummary [-top N] -- go test -json [packages]")
		os.Exit(2)
	}
	os.Exit(run(flag.Args(), os.Stdout, *top))
}

// run starts the command, summarizes its JSON events to out and returns the
// exit code to leave with.
func run(args []string, out io.Writer, top int) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: %v\n", err)
		return 2
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "testsummary: start %s: %v\n", args[0], err)
		return 2
	}
	s := newSummary(out)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		s.line(sc.Bytes())
	}
	scanErr := sc.Err()
	if scanErr != nil {
		_, _ = io.Copy(io.Discard, stdout) // let the command finish rather than block on a full pipe
	}
	waitErr := cmd.Wait()
	s.printSlowest(top)
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(waitErr, &exit):
		code = exit.ExitCode()
	case waitErr != nil:
		fmt.Fprintf(os.Stderr, "testsummary: %v\n", waitErr)
		code = 2
	}
	if scanErr != nil {
		fmt.Fprintf(os.Stderr, "testsummary: read go test's output: %v\n", scanErr)
	}
	if code == 0 && (s.failed || scanErr != nil) {
		code = 1 // a failure go test did not report in its exit code must still fail the build
	}
	return code
}
