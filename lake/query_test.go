package lake

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

func assertQueryError(t *testing.T, err error, kind string) {
	t.Helper()
	var qe *connectors.QueryError
	if !errors.As(err, &qe) || qe.Kind != kind {
		t.Fatalf("error = %v (%T), want a %s QueryError", err, err, kind)
	}
}

func assertReadOnly(t *testing.T, err error) {
	t.Helper()
	var ro *connectors.ReadOnlyError
	if !errors.As(err, &ro) || !errors.Is(err, connectors.ErrReadOnly) {
		t.Fatalf("error = %v (%T), want a ReadOnlyError", err, err)
	}
}

func TestQueryRefusesEverythingButReadingTheLake(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt)}
	f.load("main", "t", cols, [][]any{{int64(1)}}, LoadAppend)

	// Another team's lake next door: its files must stay out of reach.
	other, err := Open(f.ctx, f.pool, "lake_other", f.lake.DataPath()+"-other")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(other.DataPath()) })
	otherFiles := (&fixture{t: t, ctx: f.ctx, pool: f.pool, lake: other}).stage("x", "secret", cols, [][]any{{int64(7)}})

	ownFile := f.stage("main", "t", cols, [][]any{{int64(2)}})[0].Path
	if got := f.one(`SELECT count(*) FROM read_parquet('` + ownFile + `')`); got != int64(1) {
		t.Fatalf("reading the lake's own file: %v", got)
	}
	denied := map[string]string{
		"system file":         `SELECT * FROM read_csv('/etc/passwd')`,
		"another team's file": `SELECT * FROM read_parquet('` + otherFiles[0].Path + `')`,
		"climbing out":        `SELECT * FROM read_parquet('` + f.lake.DataPath() + `/../` + filepath.Base(other.DataPath()) + `/x/secret/*.parquet')`,
		"glob outside":        `SELECT * FROM glob('/etc/*')`,
		"text outside":        `SELECT * FROM read_text('/etc/hostname')`,
	}
	for name, q := range denied {
		_, err := f.lake.Query(f.ctx, q, QueryOptions{})
		var qe *connectors.QueryError
		if !errors.As(err, &qe) || qe.Kind != connectors.QueryErrPermission {
			t.Errorf("%s: error = %v, want a permission error", name, err)
		}
	}
	refused := map[string]string{
		"ATTACH":        `ATTACH ':memory:' AS x`,
		"INSTALL":       `INSTALL httpfs`,
		"LOAD":          `LOAD httpfs`,
		"COPY TO":       `COPY (SELECT 1) TO '` + filepath.Join(f.lake.DataPath(), "main", "t", "evil.parquet") + `'`,
		"SET":           `SET enable_external_access = true`,
		"RESET":         `RESET lock_configuration`,
		"CREATE":        `CREATE TABLE x AS SELECT 1`,
		"CALL":          `CALL pragma_version()`,
		"EXPLAIN":       `EXPLAIN ANALYZE SELECT 1`,
		"EXPORT":        `EXPORT DATABASE '` + f.lake.DataPath() + `'`,
		"DETACH":        `DETACH memory`,
		"a transaction": `BEGIN`,
	}
	for name, q := range refused {
		_, err := f.lake.Query(f.ctx, q, QueryOptions{})
		var ro *connectors.ReadOnlyError
		if !errors.As(err, &ro) {
			t.Errorf("%s: error = %v, want a ReadOnlyError", name, err)
		}
	}
	_, err = f.lake.Query(f.ctx, `SELECT 1; COPY (SELECT 1) TO '/tmp/x.csv'`, QueryOptions{})
	assertQueryError(t, err, connectors.QueryErrSyntax)
	if _, err := os.Stat(filepath.Join(f.lake.DataPath(), "main", "t", "evil.parquet")); err == nil {
		t.Fatal("COPY wrote into the lake")
	}
	// Error messages do not reveal where the lake lives.
	_, err = f.lake.Query(f.ctx, `SELECT * FROM read_parquet('`+f.lake.DataPath()+`/nothing.parquet')`, QueryOptions{})
	if err == nil || strings.Contains(err.Error(), f.lake.DataPath()) {
		t.Fatalf("error = %v", err)
	}
}

func TestQueryLimitsAndErrors(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt)}
	rows := make([][]any, 50)
	for i := range rows {
		rows[i] = []any{int64(i)}
	}
	f.load("main", "t", cols, rows, LoadAppend)

	res, err := f.lake.Query(f.ctx, `SELECT * FROM t ORDER BY id`, QueryOptions{MaxRows: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 10 || !res.Truncated || res.Columns[0].Name != "id" {
		t.Fatalf("got %d rows, truncated %v", len(res.Rows), res.Truncated)
	}
	start := time.Now()
	_, err = f.lake.Query(f.ctx, `SELECT count(*) FROM range(100000000000) a`, QueryOptions{Timeout: 300 * time.Millisecond})
	assertQueryError(t, err, connectors.QueryErrTimeout)
	if time.Since(start) > 10*time.Second {
		t.Fatalf("the timeout took %s", time.Since(start))
	}
	_, err = f.lake.Query(f.ctx, `SELEC 1`, QueryOptions{})
	assertQueryError(t, err, connectors.QueryErrSyntax)
	_, err = f.lake.Query(f.ctx, `SELECT nope FROM t`, QueryOptions{})
	assertQueryError(t, err, connectors.QueryErrSyntax)
	_, err = f.lake.Query(f.ctx, `SELECT * FROM main.missing`, QueryOptions{})
	assertQueryError(t, err, connectors.QueryErrSyntax)
	cancelled, cancel := context.WithCancel(f.ctx)
	cancel()
	if _, err := f.lake.Query(cancelled, `SELECT 1`, QueryOptions{}); err == nil {
		t.Fatal("a cancelled query ran")
	}
}

func TestTablesAndSnapshots(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), {Name: "tags", Type: connectors.ArrayOf(connectors.Scalar(connectors.KindString))}}
	f.load("a", "one", cols, [][]any{{int64(1), []any{"x"}}, {int64(2), nil}}, LoadAppend)
	f.load("b", "two", cols, [][]any{{int64(1), nil}}, LoadAppend)
	tables, err := f.lake.Tables(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 2 || tables[0].Schema != "a" || tables[0].Name != "one" || *tables[0].RowEstimate != 2 || tables[1].Name != "two" {
		t.Fatalf("tables = %+v", tables)
	}
	cs, err := f.lake.Columns(f.ctx, connectors.TableRef{Schema: "a", Name: "one"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[1].SourceType != "list<varchar>" || cs[1].Ordinal != 2 {
		t.Fatalf("columns = %+v", cs)
	}
	_, err = f.lake.Columns(f.ctx, connectors.TableRef{Schema: "a", Name: "nope"})
	assertQueryError(t, err, connectors.QueryErrNotFound)
	snaps, err := f.lake.Snapshots(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 3 || snaps[0].Changes != `created_schema:"main"` ||
		snaps[1].Changes != `created_schema:"a",created_table:"a"."one",inserted_into_table:2` {
		t.Fatalf("snapshots = %+v", snaps)
	}
}
