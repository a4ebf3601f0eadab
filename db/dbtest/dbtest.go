// Package dbtest gives each test its own freshly migrated sluice database,
// cloned from a template that is migrated once per test binary.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/db"
)

// AdminURL returns the URL of a database tests may create databases from:
// SLUICE_TEST_DATABASE_URL, or the local server's postgres database.
func AdminURL() string {
	if u := os.Getenv("SLUICE_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// withDatabase returns base with its database name replaced.
func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(fmt.Sprintf("dbtest: bad admin URL: %v", err))
	}
	u.Path = "/" + name
	return u.String()
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// template migrates one template database per test binary.
func template(ctx context.Context) (string, error) {
	templateOnce.Do(func() {
		templateName = "sluice_tpl_" + randomSuffix()
		templateErr = exec(ctx, AdminURL(), "CREATE DATABASE "+templateName)
		if templateErr != nil {
			return
		}
		var m *db.Migrator
		m, templateErr = db.NewMigrator(withDatabase(AdminURL(), templateName))
		if templateErr != nil {
			return
		}
		defer m.Close()
		templateErr = m.Up()
	})
	return templateName, templateErr
}

func exec(ctx context.Context, dsn, sql string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", dsn, err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// NewURL creates a migrated database for this test, drops it when the test
// ends, and returns its URL.
func NewURL(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tpl, err := template(ctx)
	if err != nil {
		t.Fatalf("dbtest: migrate template database: %v", err)
	}
	name := "sluice_test_" + randomSuffix()
	if err := exec(ctx, AdminURL(), fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tpl)); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	dropWhenDone(t, name)
	return withDatabase(AdminURL(), name)
}

// dropWhenDone drops the test's database when the test ends.
func dropWhenDone(t testing.TB, name string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = exec(ctx, AdminURL(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
}

// NewPool creates a migrated database for this test and returns a pool on it.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), NewURL(t))
	if err != nil {
		t.Fatalf("dbtest: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// RunAndDropTemplate is the TestMain of a package whose tests clone the
// template database: it runs the tests, drops the template and exits with
// the tests' result.
func RunAndDropTemplate(m *testing.M) {
	code := m.Run()
	DropTemplate()
	os.Exit(code)
}

// DropTemplate removes the template database; call it from TestMain after m.Run.
func DropTemplate() {
	if templateName == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = exec(ctx, AdminURL(), fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", templateName))
}
