package sqlguard

import (
	"errors"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// FuzzCheckPostgres checks two properties of the Postgres guard: Check never
// panics (nor needs its recover, which would hide a bug in the guard's own
// code as a refusal), and whatever Check accepts, run on the real Postgres in
// a read-only transaction as a role that owns the scratch table, leaves the
// scratch database unchanged. The database half is skipped when Postgres is
// not reachable. The corpus seeds the fuzzer.
func FuzzCheckPostgres(f *testing.F) {
	for _, a := range spellings(postgresWrites) {
		f.Add(a.sql)
	}
	for _, r := range readSpellings(postgresReads) {
		f.Add(r)
	}
	s := newPGScratch(f)
	var before string
	if s != nil {
		before = s.snapshot(f)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		err := Check(connectors.DialectPostgres, sql)
		var roErr *connectors.ReadOnlyError
		switch {
		case err != nil && !errors.As(err, &roErr):
			t.Fatalf("Check(%q) returned %T, not a *connectors.ReadOnlyError", sql, err)
		case err != nil && strings.Contains(roErr.Reason, "parser failed"):
			t.Fatalf("Check(%q) recovered from a panic: %s", sql, roErr.Reason)
		case err != nil || s == nil:
			return
		}
		dbErr := s.runReadOnly(t, sql)
		if after := s.snapshot(t); after != before {
			t.Fatalf("accepted statement changed the database (its error: %v)\n%s\nbefore: %s\nafter:  %s", dbErr, sql, before, after)
		}
	})
}
