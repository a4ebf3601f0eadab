package sqlguard

import (
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// scratch is a real database to run statements on, as a connector would.
type scratch interface {
	// snapshot summarizes everything a statement could have changed.
	snapshot(tb testing.TB) string
	// runReadOnly runs one statement the way the connector does and rolls
	// back, returning the database's error.
	runReadOnly(tb testing.TB, sql string) error
}

// TestPostgresRefusedWritesLeaveSourceUnchanged runs the Postgres write
// attempts on a real Postgres; see requireRefusedAndHarmless.
func TestPostgresRefusedWritesLeaveSourceUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs some thousand statements on Postgres")
	}
	s := newPGScratch(t)
	if s == nil {
		t.Fatal("Postgres is not reachable; make test needs it (or set SLUICE_TEST_DATABASE_URL)")
	}
	requireRefusedAndHarmless(t, connectors.DialectPostgres, s, postgresWrites)
}

// TestMySQLRefusedWritesLeaveSourceUnchanged runs the MySQL write attempts on
// the real MariaDB; see requireRefusedAndHarmless.
func TestMySQLRefusedWritesLeaveSourceUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs some thousand statements on MariaDB")
	}
	requireRefusedAndHarmless(t, connectors.DialectMySQL, newMySQLScratch(t), mysqlWrites)
}

// requireRefusedAndHarmless runs every spelling of every write attempt
// through Check and requires a refusal. Then, as if the guard had let it
// through, it runs the statement on the scratch database the way the
// connector would (read-only, time-limited, rolled back) and requires the
// database to be unchanged: the second defense holds on its own.
func requireRefusedAndHarmless(t *testing.T, dialect connectors.Dialect, s scratch, writes []attempt) {
	before := s.snapshot(t)
	var ran []string
	for _, base := range writes {
		ranOne := false
		for _, a := range spellings([]attempt{base}) {
			if err := Check(dialect, a.sql); err == nil {
				t.Errorf("Check accepted a write attempt:\n%s", a.sql)
			}
			ranOne = s.runReadOnly(t, a.sql) == nil || ranOne
			if after := s.snapshot(t); after != before {
				t.Fatalf("the database changed after\n%s\nbefore: %s\nafter:  %s", a.sql, before, after)
			}
		}
		if ranOne {
			ran = append(ran, base.sql)
		}
	}
	// What ran without error either is harmless or is stopped by the
	// guard alone: the database let it through.
	t.Logf("%d write attempts ran without error in a read-only transaction (and changed nothing checked):", len(ran))
	for _, sql := range ran {
		t.Logf("  %s", firstLine(sql))
	}
}

// firstLine shortens a statement for a log line.
func firstLine(sql string) string {
	for i, c := range sql {
		if c == '\n' || i > 100 {
			return sql[:i] + " ..."
		}
	}
	return sql
}
