package main

import (
	"os"
	"testing"

	"github.com/sluice-dev/sluice/db/dbtest"
)

// TestMain drops the template database the tests' migrated databases are
// cloned from: without it every run of this package left a sluice_tpl_*
// database behind.
func TestMain(m *testing.M) {
	code := m.Run()
	dbtest.DropTemplate()
	os.Exit(code)
}
