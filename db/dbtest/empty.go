package dbtest

import (
	"context"
	"testing"
	"time"
)

// NewEmptyURL creates an empty database (no migrations) for this test, drops
// it when the test ends, and returns its URL: for tests of migrating itself.
func NewEmptyURL(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := "sluice_empty_" + randomSuffix()
	if err := exec(ctx, AdminURL(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	dropWhenDone(t, name)
	return withDatabase(AdminURL(), name)
}
