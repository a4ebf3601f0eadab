package lake

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

func TestLakeQueryCutsValuesAndStopsAtTheBudget(t *testing.T) {
	f := newFixture(t)
	f.load("main", "t", []connectors.Column{col("id", connectors.KindInt)}, [][]any{{int64(1)}}, LoadAppend)

	res := f.query(`SELECT string_agg('x', '') AS s, '{"a":1}'::JSON AS j, 'ab'::BLOB AS b FROM range(3000000)`)
	if s := res.Rows[0][0].(string); len(s) != connectors.DefaultMaxValueBytes {
		t.Fatalf("value of %d bytes, want it cut to %d", len(s), connectors.DefaultMaxValueBytes)
	}
	if !res.Truncated || res.TruncatedReason != connectors.TruncatedValueBytes {
		t.Fatalf("truncated=%v reason=%q, want value_bytes", res.Truncated, res.TruncatedReason)
	}
	if j := res.Rows[0][1]; j != connectors.JSON(`{"a":1}`) {
		t.Fatalf("short JSON = %#v, want it whole", j)
	}

	res = f.query(`SELECT string_agg('é', '') AS s FROM range(100)`, QueryOptions{MaxValueBytes: 51})
	if s := res.Rows[0][0].(string); len(s) != 50 || !strings.HasPrefix(strings.Repeat("é", 30), s) {
		t.Fatalf("cut %q: want 25 whole characters", s)
	}

	res = f.query(`SELECT repeat('y', 1000) AS s FROM range(1000)`, QueryOptions{MaxBytes: 50_000})
	if len(res.Rows) == 0 || len(res.Rows) >= 50 || res.TruncatedReason != connectors.TruncatedBytes {
		t.Fatalf("%d rows, reason %q: want fewer than 50 rows cut by bytes", len(res.Rows), res.TruncatedReason)
	}
	res = f.query(`SELECT i FROM range(10) t(i)`, QueryOptions{MaxRows: 3})
	if len(res.Rows) != 3 || res.TruncatedReason != connectors.TruncatedRows {
		t.Fatalf("%d rows, reason %q: want 3 cut by rows", len(res.Rows), res.TruncatedReason)
	}
	res = f.query(`SELECT i FROM range(3) t(i)`)
	if res.Truncated || res.TruncatedReason != "" {
		t.Fatalf("a small answer says truncated=%v %q", res.Truncated, res.TruncatedReason)
	}
}

// TestLakeQueryRefusesHugeValueBuilders: DuckDB's memory_limit did not
// stop repeat() building a 1.5 GB string, nor range() a list of 200M
// elements; the sandbox refuses such calls before they allocate.
func TestLakeQueryRefusesHugeValueBuilders(t *testing.T) {
	f := newFixture(t)
	f.load("main", "t", []connectors.Column{col("id", connectors.KindInt)}, [][]any{{int64(1)}}, LoadAppend)
	// A small cap keeps the test cheap if a call were not refused.
	small := QueryOptions{MaxValueBytes: 1000}
	for _, q := range []string{
		`SELECT repeat('x', 5000)`,
		`SELECT length(repeat('x', 2000))`,
		`SELECT repeat([1, 2], 1000)`,
		`SELECT lpad('x', 5000, 'y')`,
		`SELECT RPAD('x', 5000, 'y')`,
		`SELECT length(range(5000))`,
		`SELECT length(range(0, 5000))`,
		`SELECT length(generate_series(5000))`,
		`SELECT length(generate_series(1, 5000))`,
		`SELECT length(list_resize([1], 5000))`,
		`SELECT length(system.main.repeat('x', 5000))`,
		`SELECT length("system"."main"."range"(5000))`,
	} {
		_, err := f.lake.Query(f.ctx, q, small)
		var qe *connectors.QueryError
		if !errors.As(err, &qe) || qe.Kind == connectors.QueryErrTimeout {
			t.Errorf("%s: error = %v, want a refusal", q, err)
		}
	}
	// With the default cap, large values are refused before they are built
	// (a list of 20M elements takes seconds; preparing the statement before
	// the macros existed built them).
	for _, q := range []string{`SELECT length(repeat('x', 200000000))`, `SELECT lpad('x', 200000000, 'y')`,
		`SELECT length(generate_series(20000000))`, `SELECT length(range(20000000))`} {
		start := time.Now()
		if _, err := f.lake.Query(f.ctx, q, QueryOptions{}); err == nil || time.Since(start) > 1500*time.Millisecond {
			t.Errorf("%s: %v after %s, want a refusal at once", q, err, time.Since(start))
		}
	}
	if got := f.one(`SELECT repeat('ab', 3) || lpad('x', 3, '-') || len(range(5)) || len(generate_series(2, 4))`); got != "ababab--x53" {
		t.Fatalf("small builders = %v", got)
	}
	if got := f.one(`SELECT count(*) FROM range(3000000)`); got != int64(3000000) {
		t.Fatalf("range as a table = %v", got)
	}
}

// TestLakeQueryManyBranchesOverDeletedRows is FINDINGS.md #6: one query of
// 160 UNION ALL branches over a table with delete files ran out of DuckDB's
// 512 MB (an ANTI JOIN per branch pinned its hash table).
func TestLakeQueryManyBranchesOverDeletedRows(t *testing.T) {
	f := newFixture(t)
	// Four data files, then a merge that deletes rows from each of them.
	for part := 0; part < 4; part++ {
		f.load("crm", "people", people, peopleRows(part*750, part*750+750, "a"), LoadAppend)
	}
	var change [][]any
	for i := 0; i < 3000; i += 10 {
		change = append(change, peopleRows(i, i+1, "b")...)
	}
	f.load("crm", "people", people, change, LoadMerge, "id")

	branches := make([]string, 160)
	for i := range branches {
		branches[i] = fmt.Sprintf("SELECT %d AS b, count(*) AS n, min(name) AS a, max(amount) AS m FROM crm.people WHERE id %% 160 = %[1]d", i)
	}
	res, err := f.lake.Query(f.ctx, "SELECT count(*), sum(n) FROM ("+strings.Join(branches, " UNION ALL ")+")", QueryOptions{})
	if err != nil {
		t.Fatalf("160 branches: %v", err)
	}
	if got := res.Rows[0]; got[0] != int64(160) || fmt.Sprint(got[1]) != "3000" {
		t.Fatalf("branches, rows = %v, want 160, 3000", got)
	}
	if n := f.one("SELECT count(*) FROM crm.people WHERE name LIKE 'b-%'"); n != int64(300) {
		t.Fatalf("%v updated rows, want 300", n)
	}
	if n := f.one("SELECT count(*) FROM crm.people"); n != int64(3000) {
		t.Fatalf("%v rows, want 3000", n)
	}
}

// TestLakeSandboxShowsNoHostPaths: settings, databases, extensions, files
// and errors never show the lake's directory (it holds the team id) or
// the host's home.
func TestLakeSandboxShowsNoHostPaths(t *testing.T) {
	f := newFixture(t)
	f.load("main", "t", []connectors.Column{col("id", connectors.KindInt)}, [][]any{{int64(1)}}, LoadAppend)
	home, _ := os.UserHomeDir()
	secrets := []string{f.lake.DataPath(), filepath.Base(f.lake.DataPath()), filepath.Dir(f.lake.DataPath())}
	if home != "" && home != "/" {
		secrets = append(secrets, home)
	}
	queries := []string{
		`SELECT value FROM duckdb_settings() WHERE name='allowed_directories'`,
		`SELECT * FROM duckdb_settings()`,
		`SELECT * FROM DuckDB_Settings()`,
		`SELECT * FROM "duckdb_settings"()`,
		`SELECT * FROM system.main.duckdb_settings()`,
		`SELECT current_setting('allowed_directories')`,
		`SELECT current_setting('temp_directory'), current_setting('home_directory')`,
		`SELECT current_setting('extension_directory'), current_setting('secret_directory')`,
		`SELECT CURRENT_SETTING('allowed_directories')`,
		`SELECT (SELECT current_setting('allowed_directories')) AS x`,
		`WITH s AS (SELECT * FROM duckdb_settings()) SELECT value FROM s`,
		`SELECT path FROM duckdb_databases()`,
		`SELECT install_path FROM duckdb_extensions()`,
		`SELECT * FROM duckdb_secrets()`,
		`SELECT * FROM glob('*')`,
		`SELECT * FROM glob('` + f.lake.DataPath() + `/**')`,
		`SELECT * FROM pragma_database_list()`,
		`SELECT * FROM pragma_database_list`,
		`SHOW databases`,
		`SELECT sql FROM duckdb_views()`,
		`SELECT view_definition FROM information_schema.views`,
		`SELECT * FROM read_parquet('/nonexistent/x.parquet')`,
		`SELECT * FROM read_parquet('` + f.lake.DataPath() + `/nope.parquet')`,
		`SELECT * FROM parquet_metadata('` + f.lake.DataPath() + `/main/t/*.parquet')`,
		`SELECT * FROM read_text('` + f.lake.DataPath() + `/main/t/*.parquet')`,
		`SELECT getvariable('x')`,
		`SELECT 1 FROM no_such_table`,
	}
	for _, q := range queries {
		res, err := f.lake.Query(f.ctx, q, QueryOptions{})
		text := fmt.Sprint(err)
		if res != nil {
			text += fmt.Sprint(res.Rows)
		}
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s: answer or error shows %q: %.300s", q, s, text)
			}
		}
	}
	// The refusals are clear permission errors, not a silent empty answer.
	_, err := f.lake.Query(f.ctx, `SELECT value FROM duckdb_settings() WHERE name='allowed_directories'`, QueryOptions{})
	assertQueryError(t, err, connectors.QueryErrPermission)
	// Queries over the lake's own tables still read.
	if n := f.one(`SELECT count(*) FROM main.t`); n != int64(1) {
		t.Fatalf("count = %v", n)
	}
}
