// Package stripetest gives tests a Stripe API to talk to: Stripe's own
// stripe-mock (built from Stripe's OpenAPI spec, so its answers have every
// field a real one has, but it keeps no state: a list always holds one
// fixture object, filters and cursors are accepted and ignored) and Server,
// a small stateful fake of the list and events endpoints for what the mock
// cannot show (several pages, rate limits, changes, interruptions).
package stripetest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// MockVersion is the stripe-mock release the tests run.
const MockVersion = "v0.203.0"

// MockKey is a key stripe-mock accepts (sk_test_ and letters or digits).
const MockKey = "sk_test_sluiceMockKey4242"

// Mock starts stripe-mock on a free loopback port for the test and returns
// its base URL. The binary is $SLUICE_STRIPE_MOCK, stripe-mock on PATH, or
// built once into the user's cache with `go install`. Without it the test
// skips, unless SLUICE_REQUIRE_STRIPE_MOCK is set (CI sets it): then it fails.
func Mock(t testing.TB) string {
	t.Helper()
	bin, err := mockBinary()
	if err != nil {
		if os.Getenv("SLUICE_REQUIRE_STRIPE_MOCK") != "" {
			t.Fatalf("SLUICE_REQUIRE_STRIPE_MOCK is set but stripe-mock is not available: %v", err)
		}
		t.Skipf("stripe-mock is not available (%v); set SLUICE_STRIPE_MOCK or run go install github.com/stripe/stripe-mock@%s", err, MockVersion)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		listening := regexp.MustCompile(`Listening for HTTP at address: (\S+)`)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		base := "http://" + a
		waitAnswers(t, base)
		return base
	case <-time.After(30 * time.Second):
		t.Fatal("stripe-mock did not say where it listens within 30s")
	}
	return ""
}

// waitAnswers waits until the mock answers an authenticated list.
func waitAnswers(t testing.TB, base string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/customers?limit=1", nil)
		req.Header.Set("Authorization", "Bearer "+MockKey)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("stripe-mock at %s does not answer: %v", base, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mockBinary finds stripe-mock or builds it into the user's cache.
func mockBinary() (string, error) {
	if p := os.Getenv("SLUICE_STRIPE_MOCK"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "sluice", "stripe-mock-"+MockVersion)
	bin := filepath.Join(dir, "stripe-mock")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	// Built beside, then renamed: packages testing in parallel may both build.
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "stripe-mock-build-")
	if err != nil {
		if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			return "", err
		}
		if tmp, err = os.MkdirTemp(filepath.Dir(dir), "stripe-mock-build-"); err != nil {
			return "", err
		}
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command("go", "install", "github.com/stripe/stripe-mock@"+MockVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install stripe-mock@%s: %v: %s", MockVersion, err, strings.TrimSpace(string(out)))
	}
	if err := os.Rename(tmp, dir); err != nil && !os.IsExist(err) {
		if _, statErr := os.Stat(bin); statErr != nil {
			return "", fmt.Errorf("keep stripe-mock in %s: %w", dir, err)
		}
	}
	return bin, nil
}
