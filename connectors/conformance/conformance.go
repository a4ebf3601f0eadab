// Package conformance is the test suite every connector runs through. It is
// imported only by tests: each connector package supplies a Fixture for a
// real server and calls Run.
package conformance

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// Fixture describes a real server prepared for the suite. Setup must create,
// in Schema, the table "kinds" and the view "kinds_view" with the rows the
// suite expects (see Expected), and return a cleanup.
type Fixture struct {
	Type        string
	Credentials map[string]any
	Schema      string
	Setup       func(t *testing.T) (cleanup func())
	// SleepSQL is a statement that runs for about the given seconds, e.g. "SELECT pg_sleep(%d)".
	SleepSQL string
	// QualifiedTable is how a query names schema.kinds in this dialect.
	QualifiedTable string
	// Skip names cases this server cannot run, with the reason.
	Skip map[string]string
	// Quirks name value checks this server cannot pass, with the reason:
	// "bool" (booleans arrive as integers in query results), "json" (JSON
	// arrives as text in query results) and "json column" (the server has no
	// JSON type, so discovery calls doc text too).
	Quirks map[string]string
	// WriteSQL is the statement that would delete every row of kinds, when
	// "DELETE FROM <QualifiedTable>" is not one in this dialect.
	WriteSQL string
	// Fold is how the server stores an unquoted identifier (Snowflake folds
	// them to upper case); nil leaves names as the suite writes them.
	Fold func(name string) string
}

// name is how the server calls an identifier the suite's SQL leaves unquoted.
func (f Fixture) name(s string) string {
	if f.Fold == nil {
		return s
	}
	return f.Fold(s)
}

// open opens the fixture's connector as capability T.
func open[T any](t *testing.T, f Fixture) T {
	t.Helper()
	spec, ok := connectors.Lookup(f.Type)
	if !ok {
		t.Fatalf("unknown type %s", f.Type)
	}
	config, secrets, err := spec.Normalize(f.Credentials)
	if err != nil {
		t.Fatalf("fixture credentials: %v", err)
	}
	c, closeFn, err := connectors.Open[T](context.Background(), f.Type, connectors.NewCredentials(spec, connectors.MergeValues(config, secrets)))
	if err != nil {
		t.Fatalf("open %s: %v", f.Type, err)
	}
	t.Cleanup(func() { _ = closeFn(context.Background()) })
	return c
}

// Run runs every case against the fixture.
func Run(t *testing.T, f Fixture) {
	cleanup := f.Setup(t)
	t.Cleanup(cleanup)
	cases := []struct {
		name string
		fn   func(t *testing.T, f Fixture)
	}{
		{"validate", testValidate},
		{"wrong password", testWrongPassword},
		{"tables", testTables},
		{"columns", testColumns},
		{"unknown table", testUnknownTable},
		{"query values", testQueryValues},
		{"query row cap", testRowCap},
		{"query syntax error", testSyntaxError},
		{"query timeout", testTimeout},
		{"write refused by the database", testWriteRefused},
		{"ddl refused by the database", testDDLRefused},
		{"bulk read", testRead},
		{"key ranges", testKeyRanges},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if reason, skip := f.Skip[c.name]; skip {
				t.Skip(reason)
			}
			c.fn(t, f)
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func testValidate(t *testing.T, f Fixture) {
	report, err := open[connectors.Validator](t, f).Validate(ctx(t))
	if err != nil {
		t.Fatalf("validate: %v", err)
	}
	if !contains(report.Schemas, f.Schema) {
		t.Fatalf("schemas %v lack %s", report.Schemas, f.Schema)
	}
}

func testWrongPassword(t *testing.T, f Fixture) {
	wrong := f
	wrong.Credentials = map[string]any{}
	for k, v := range f.Credentials {
		wrong.Credentials[k] = v
	}
	wrong.Credentials["username"] = "sluice_no_such_user"
	wrong.Credentials["password"] = "wrong-password"
	_, err := open[connectors.Validator](t, wrong).Validate(ctx(t))
	var stepErr *connectors.StepError
	if !errors.As(err, &stepErr) || stepErr.Step != connectors.StepAuthenticate {
		t.Fatalf("validate with an unknown user: %v, want a StepError at authenticate", err)
	}
	if containsText(stepErr.Message, "wrong-password") {
		t.Fatal("the error message contains the password")
	}
}

func testTables(t *testing.T, f Fixture) {
	tables, err := open[connectors.Discoverer](t, f).Tables(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, tb := range tables {
		if tb.Schema == f.Schema {
			kinds[tb.Name] = tb.Kind
		}
	}
	if kinds[f.name("kinds")] != connectors.TableKindTable || kinds[f.name("kinds_view")] != connectors.TableKindView {
		t.Fatalf("tables in %s: %v, want kinds (table) and kinds_view (view)", f.Schema, kinds)
	}
}

func testUnknownTable(t *testing.T, f Fixture) {
	_, err := open[connectors.Discoverer](t, f).Columns(ctx(t), connectors.TableRef{Schema: f.Schema, Name: f.name("no_such_table")})
	var qe *connectors.QueryError
	if !errors.As(err, &qe) || qe.Kind != connectors.QueryErrNotFound {
		t.Fatalf("columns of a missing table: %v, want a not_found QueryError", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsText(haystack, needle string) bool {
	return len(needle) > 0 && len(haystack) >= len(needle) && (func() bool {
		for i := 0; i+len(needle) <= len(haystack); i++ {
			if haystack[i:i+len(needle)] == needle {
				return true
			}
		}
		return false
	})()
}
