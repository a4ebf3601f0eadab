package postgres_test

import (
	"testing"

	"github.com/sluice-dev/sluice/db/dbtest"
)

// TestMain drops the template database BenchmarkReadIntoLake's lake clones.
func TestMain(m *testing.M) { dbtest.RunAndDropTemplate(m) }
