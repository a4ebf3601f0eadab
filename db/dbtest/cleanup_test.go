package dbtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// templateUsers are the calls that migrate the per-binary template database.
var templateUsers = regexp.MustCompile(`\b(dbtest\.(NewURL|NewPool)|testenv\.(New|NewWith|NewWithoutWorker))\(`)

// TestEveryPackageDropsItsTemplate guards against a test package that clones
// the template database (directly or through testenv) without a TestMain
// calling DropTemplate: the template outlives the test binary and every
// `make test` leaves one more sluice_tpl_* database behind.
func TestEveryPackageDropsItsTemplate(t *testing.T) {
	root := filepath.Join("..", "..")
	users := map[string]bool{}
	droppers := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		if templateUsers.Match(src) {
			users[dir] = true
		}
		if strings.Contains(string(src), "func TestMain(") && strings.Contains(string(src), "DropTemplate") {
			droppers[dir] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for dir := range users {
		if !droppers[dir] {
			missing = append(missing, dir)
		}
	}
	sort.Strings(missing)
	if len(users) == 0 {
		t.Fatal("found no test package using the template: the pattern is out of date")
	}
	if len(missing) > 0 {
		t.Fatalf("these test packages clone the template database but no TestMain calls dbtest.RunAndDropTemplate (or DropTemplate): %v", missing)
	}
}
