package main

import (
	"strings"
	"testing"
)

func TestRunKeepsTheExitCodeAndPrintsFailuresAndTheSlowest(t *testing.T) {
	events := strings.Join([]string{
		`{"Action":"run","Package":"p","Test":"TestSlow"}`,
		`{"Action":"output","Package":"p","Test":"TestSlow","Output":"=== RUN   TestSlow\n"}`,
		`{"Action":"pass","Package":"p","Test":"TestSlow","Elapsed":3.5}`,
		`{"Action":"output","Package":"p","Test":"TestBad","Output":"    bad_test.go:9: boom\n"}`,
		`{"Action":"fail","Package":"p","Test":"TestBad","Elapsed":0.2}`,
		`{"Action":"output","Package":"p","Output":"FAIL\tp\t3.8s\n"}`,
		`{"Action":"fail","Package":"p","Elapsed":3.8}`,
	}, "\n")
	var out strings.Builder
	code := run([]string{"sh", "-c", "cat <<'X'\n" + events + "\nX\nexit 1"}, &out, 10)
	if code != 1 {
		t.Fatalf("exit code %d, want go test's 1", code)
	}
	got := out.String()
	for _, want := range []string{"bad_test.go:9: boom", "FAIL\tp\t3.8s", "slowest 2 tests:", "3.5s  p.TestSlow", "slowest 1 packages:"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "=== RUN") {
		t.Errorf("a passing test's output is printed:\n%s", got)
	}
}

func TestRunFailsOnAFailedEventEvenIfTheCommandExitsZero(t *testing.T) {
	var out strings.Builder
	code := run([]string{"sh", "-c", `echo '{"Action":"fail","Package":"p","Test":"TestX"}'`}, &out, 10)
	if code == 0 {
		t.Fatalf("exit code 0 after a failed test:\n%s", out.String())
	}
	if code := run([]string{"sh", "-c", `echo '{"Action":"pass","Package":"p","Test":"TestX"}'`}, &out, 10); code != 0 {
		t.Fatalf("exit code %d for a passing run", code)
	}
}
