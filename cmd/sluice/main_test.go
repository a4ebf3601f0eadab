package main

import (
	"testing"

	"github.com/sluice-dev/sluice/db/dbtest"
)

// TestMain drops the template database the tests' migrated databases are
// cloned from: without it every run of this package left a sluice_tpl_*
// database behind.
func TestMain(m *testing.M) { dbtest.RunAndDropTemplate(m) }
