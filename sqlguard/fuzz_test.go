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
	for _, a := range spellings(with(postgresWrites, postgresAllowlistAttempts)) {
		f.Add(a.sql)
	}
	for _, r := range readSpellings(with(postgresReads, postgresAllowedReads)) {
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

// FuzzCheck checks, for every dialect, that Check answers nil or a
// *connectors.ReadOnlyError and never needs its recover. The corpora seed it.
func FuzzCheck(f *testing.F) {
	dialects := []connectors.Dialect{connectors.DialectPostgres, connectors.DialectMySQL, connectors.DialectSQLServer,
		connectors.DialectBigQuery, connectors.DialectSnowflake, connectors.DialectDuckDB}
	seed := func(d connectors.Dialect, writes []attempt, reads []string) {
		for i := range dialects {
			if dialects[i] != d {
				continue
			}
			for _, a := range writes {
				f.Add(uint8(i), a.sql)
			}
			for _, r := range reads {
				f.Add(uint8(i), r)
			}
		}
	}
	seed(connectors.DialectPostgres, with(postgresWrites, postgresAllowlistAttempts), with(postgresReads, postgresAllowedReads))
	seed(connectors.DialectMySQL, with(mysqlWrites, mysqlAllowlistAttempts), with(mysqlReads, mysqlAllowedReads))
	for d, c := range classifiedCorpus {
		seed(d, c.writes, c.reads)
	}
	f.Fuzz(func(t *testing.T, which uint8, sql string) {
		d := dialects[int(which)%len(dialects)]
		err := Check(d, sql)
		var roErr *connectors.ReadOnlyError
		switch {
		case err == nil:
		case !errors.As(err, &roErr):
			t.Fatalf("%s: Check(%q) returned %T, not a *connectors.ReadOnlyError", d, sql, err)
		case strings.Contains(roErr.Reason, "parser failed"):
			t.Fatalf("%s: Check(%q) recovered from a panic: %s", d, sql, roErr.Reason)
		}
	})
}
