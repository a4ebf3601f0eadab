package postgres_test

import (
	"os"
	"testing"

	"github.com/sluice-dev/sluice/db/dbtest"
)

// TestMain drops the template database BenchmarkReadIntoLake's lake clones.
func TestMain(m *testing.M) {
	code := m.Run()
	dbtest.DropTemplate()
	os.Exit(code)
}
