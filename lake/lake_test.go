package lake

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.RunAndDropTemplate(m) }

// fixture is a lake in its own database and temporary directory.
type fixture struct {
	t    testing.TB
	ctx  context.Context
	pool *pgxpool.Pool
	lake *Lake
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	pool := dbtest.NewPool(t)
	l, err := Open(ctx, pool, "lake_test", t.TempDir())
	if err != nil {
		t.Fatalf("open lake: %v", err)
	}
	return &fixture{t: t, ctx: ctx, pool: pool, lake: l}
}

func col(name string, k connectors.Kind) connectors.Column {
	return connectors.Column{Name: name, Type: connectors.Scalar(k)}
}

func decimalCol(name string, p, s int) connectors.Column {
	return connectors.Column{Name: name, Type: connectors.DecimalType(p, s)}
}

// stage writes rows to staged files.
func (f *fixture) stage(schema, table string, cols []connectors.Column, rows [][]any) []StagedFile {
	f.t.Helper()
	return f.stageOrdered(schema, table, cols, rows, nil)
}

// stageOrdered writes rows to staged files, tracking their order by keys
// when there are any.
func (f *fixture) stageOrdered(schema, table string, cols []connectors.Column, rows [][]any, keys []string) []StagedFile {
	f.t.Helper()
	w, err := f.lake.NewTableWriter(f.ctx, schema, table, cols)
	if err != nil {
		f.t.Fatalf("new writer: %v", err)
	}
	if keys != nil {
		if err := w.TrackKeyOrder(keys); err != nil {
			f.t.Fatalf("track key order: %v", err)
		}
	}
	if err := w.WriteBatch(f.ctx, rows); err != nil {
		w.Abort()
		f.t.Fatalf("write batch: %v", err)
	}
	files, err := w.Finish(f.ctx)
	if err != nil {
		f.t.Fatalf("finish: %v", err)
	}
	return files
}

// load stages rows and commits them.
func (f *fixture) load(schema, table string, cols []connectors.Column, rows [][]any, method LoadMethod, keys ...string) CommitResult {
	f.t.Helper()
	files := f.stage(schema, table, cols, rows)
	res, err := f.lake.Commit(f.ctx, CommitRequest{Schema: schema, Table: table, Columns: cols, Method: method, PrimaryKeys: keys, Files: files})
	if err != nil {
		f.t.Fatalf("commit: %v", err)
	}
	return res
}

func (f *fixture) query(sql string, opts ...QueryOptions) *connectors.ResultSet {
	f.t.Helper()
	var o QueryOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	res, err := f.lake.Query(f.ctx, sql, o)
	if err != nil {
		f.t.Fatalf("query %q: %v", sql, err)
	}
	return res
}

// one returns the single value of a one-row, one-column query.
func (f *fixture) one(sql string, opts ...QueryOptions) any {
	f.t.Helper()
	res := f.query(sql, opts...)
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		f.t.Fatalf("query %q returned %d rows", sql, len(res.Rows))
	}
	return res.Rows[0][0]
}

func (f *fixture) snapshotCount() int64 {
	f.t.Helper()
	var n int64
	if err := f.pool.QueryRow(f.ctx, `SELECT count(*) FROM lake_test.ducklake_snapshot`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}
