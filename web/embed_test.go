package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// hashedRootFiles are the files beside src/ that shape the build.
var hashedRootFiles = []string{"index.html", "package.json", "package-lock.json", "vite.config.ts",
	"tsconfig.json", "tsconfig.app.json", "tsconfig.node.json"}

// sourceHash hashes the console's sources the way web/scripts/source-hash.mjs
// does when it builds: each file's path, length and bytes, in path order.
func sourceHash(t *testing.T) string {
	t.Helper()
	var paths []string
	err := filepath.WalkDir("src", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, filepath.ToSlash(p))
		}
		return err
	})
	if err != nil {
		t.Fatalf("list web/src: %v", err)
	}
	for _, name := range hashedRootFiles {
		if _, err := os.Stat(name); err == nil {
			paths = append(paths, name)
		}
	}
	slices.Sort(paths)
	h := sha256.New()
	for _, p := range paths {
		body, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		h.Write([]byte(p + "\x00" + strconv.Itoa(len(body)) + "\x00"))
		h.Write(body)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestCommittedBuildIsFresh fails when web/src changed after the committed
// build was made: the binary would serve an older console than the code.
func TestCommittedBuildIsFresh(t *testing.T) {
	recorded, err := fs.ReadFile(Dist, "dist/source-hash.txt")
	if err != nil {
		t.Fatalf("the embedded build has no source-hash.txt (%v): run make web and commit web/dist", err)
	}
	if got, want := strings.TrimSpace(string(recorded)), sourceHash(t); got != want {
		t.Fatalf("web/dist was built from other sources (build %s, sources %s): run make web and commit web/dist", got[:min(12, len(got))], want[:12])
	}
}

// TestBuildIsSelfContained keeps the promise of no external requests: the
// built console names no http(s) address to load from.
func TestBuildIsSelfContained(t *testing.T) {
	err := fs.WalkDir(Dist, "dist", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".css")) {
			return err
		}
		body, _ := fs.ReadFile(Dist, p)
		for _, attr := range []string{`src="http`, `href="http`, `url(http`, `@import "http`} {
			if strings.Contains(string(body), attr) {
				t.Errorf("%s loads from another host (%s…)", p, attr)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
