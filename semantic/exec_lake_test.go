package semantic_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/lake"
)

// lakeTables are the fixture's tables, copied into the lake by lakeEngine.
var lakeTables = []string{"companies", "hubspot_deals"}

// lakeEngine copies the Postgres engine's tables into a DuckLake lake (its
// catalog in a schema of the local Postgres, its Parquet files in a
// temporary directory) under the same schema name, and queries it with
// DuckDB as sluice queries a team's lake.
func lakeEngine(t *testing.T, pg *engine) *engine {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbtest.AdminURL())
	if err != nil {
		t.Fatalf("connect to Postgres: %v", err)
	}
	catalog := randomName("lake_sem_")
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+catalog+" CASCADE")
		pool.Close()
	})
	l, err := lake.Open(ctx, pool, catalog, t.TempDir())
	if err != nil {
		t.Fatalf("open lake: %v", err)
	}
	disc, ok := pg.querier.(connectors.Discoverer)
	if !ok {
		t.Fatal("the Postgres connector does not list columns")
	}
	for _, table := range lakeTables {
		cols, err := disc.Columns(ctx, connectors.TableRef{Schema: pg.schema, Name: table})
		if err != nil {
			t.Fatalf("columns of %s: %v", table, err)
		}
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.Name
		}
		rs, err := pg.querier.Query(ctx, fmt.Sprintf("SELECT %s FROM %s.%s ORDER BY id", strings.Join(names, ", "), pg.schema, table),
			connectors.QueryOptions{MaxRows: 10_000})
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		w, err := l.NewTableWriter(ctx, pg.schema, table, cols)
		if err != nil {
			t.Fatalf("lake writer for %s: %v", table, err)
		}
		if err := w.WriteBatch(ctx, rs.Rows); err != nil {
			w.Abort()
			t.Fatalf("write %s: %v", table, err)
		}
		files, err := w.Finish(ctx)
		if err != nil {
			t.Fatalf("finish %s: %v", table, err)
		}
		res, err := l.Commit(ctx, lake.CommitRequest{Schema: pg.schema, Table: table, Columns: cols, Method: lake.LoadOverwrite, Files: files})
		if err != nil || res.RowsWritten != int64(len(rs.Rows)) {
			t.Fatalf("commit %s: %+v, %v", table, res, err)
		}
	}
	e := &engine{dialect: connectors.DialectDuckDB, schema: pg.schema, querier: l.AsQuerier()}
	check := "SELECT count(*), count(owner), count(close_date), sum(amount), min(close_date), max(close_date), sum(CASE WHEN is_won THEN 1 ELSE 0 END) FROM " + pg.schema + ".hubspot_deals"
	if got, want := e.run(t, check), pg.run(t, check); strings.Join(got, "") != strings.Join(want, "") {
		t.Fatalf("the lake's copy of hubspot_deals differs: %v, want %v", got, want)
	}
	return e
}
