package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sluice-dev/sluice/db/dbtest"
)

// devStack is a real `sluice dev` process for a browser to use.
type devStack struct {
	url   string // the console and API, http://127.0.0.1:port
	token string // the dev team's API token
}

// startDev runs `sluice dev` on free ports, a fresh database and data dir,
// and waits until it says where its API is.
func startDev(t *testing.T) devStack {
	t.Helper()
	dataDir := t.TempDir()
	cmd := exec.Command(sluiceBinary(t), "dev")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbtest.NewURL(t), "SLUICE_DATA_DIR="+dataDir,
		"SLUICE_HTTP_ADDR="+freeAddr(t), "TEMPORAL_ADDRESS="+freeAddr(t), "SLUICE_TEMPORAL_UI_PORT="+portOfAddr(freeAddr(t)),
		"SLUICE_ALLOW_PRIVATE_NETWORKS=true", "SLUICE_LOG_LEVEL=warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sluice dev: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	api := regexp.MustCompile(`sluice API:\s+(http://\S+)`)
	found := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		for scanner.Scan() {
			if m := api.FindStringSubmatch(scanner.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case url := <-found:
		token, err := os.ReadFile(filepath.Join(dataDir, "dev-token"))
		if err != nil {
			t.Fatalf("read the dev token: %v", err)
		}
		return devStack{url: url, token: strings.TrimSpace(string(token))}
	case <-time.After(2 * time.Minute):
		t.Fatal("sluice dev did not say where its API is within 2 minutes")
	}
	return devStack{}
}

func portOfAddr(addr string) string { return addr[strings.LastIndex(addr, ":")+1:] }

// chromiumPath finds Debian's Chromium; without it the browser tests skip,
// unless SLUICE_REQUIRE_BROWSER is set (CI installs it and sets it).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("SLUICE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if os.Getenv("SLUICE_REQUIRE_BROWSER") != "" {
		t.Fatal("SLUICE_REQUIRE_BROWSER is set but no Chromium was found (apt-get install chromium, or set SLUICE_CHROMIUM)")
	}
	t.Skip("no Chromium: apt-get install chromium (or set SLUICE_CHROMIUM) to run the browser tests")
	return ""
}

// newBrowser starts a headless Chromium of its own (a fresh profile, no
// background traffic: this machine's network is closed) at width×height.
func newBrowser(t *testing.T, width, height int) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The window cannot be narrower than about 500 px; the viewport can, as
	// on a phone.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// screenshotDir keeps the pages' screenshots for a person to look at:
// SLUICE_SCREENSHOT_DIR when set, else a directory under the system's temp.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SLUICE_SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "sluice-console-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot saves the whole page as <dir>/<name>.png.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(screenshotDir(t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
