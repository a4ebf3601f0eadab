package lake

import (
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestWriterDatabaseIsReusedEmpty: a buffer writer opened after another,
// with the same settings, takes its DuckDB instead of opening one, and
// finds none of its staging rows there, even from a writer aborted
// mid-file; the files both write hold only their own rows. A table writer
// neither takes nor hands back a pooled database.
func TestWriterDatabaseIsReusedEmpty(t *testing.T) {
	f := newFixture(t)
	f.lake.Limits.WriterMemory = "97MB" // settings of its own: parallel tests' writers never share them
	cols := []connectors.Column{col("id", connectors.KindInt), col("v", connectors.KindString)}
	aborted, err := f.lake.NewBufferWriter(f.ctx, "m", "t", cols)
	if err != nil {
		t.Fatal(err)
	}
	if err := aborted.WriteBatch(f.ctx, [][]any{{int64(1), "secret"}, {int64(2), "secret"}}); err != nil {
		t.Fatal(err)
	}
	used := aborted.pair
	aborted.Abort()

	w, err := f.lake.NewBufferWriter(f.ctx, "m", "t", cols)
	if err != nil {
		t.Fatal(err)
	}
	if w.pair != used {
		t.Fatalf("the second writer opened a database of its own; want the aborted writer's")
	}
	var tables, rows int64
	if err := w.duck.conn.QueryRowContext(f.ctx, `SELECT count(*), COALESCE(sum(estimated_size), 0) FROM duckdb_tables() WHERE database_name = 'stage'`).Scan(&tables, &rows); err != nil {
		t.Fatal(err)
	}
	if tables != 1 || rows != 0 {
		t.Fatalf("the reused staging database holds %d tables and %d rows; want only the new writer's empty table", tables, rows)
	}
	if err := w.WriteBatch(f.ctx, [][]any{{int64(3), "mine"}}); err != nil {
		t.Fatal(err)
	}
	files, err := w.Finish(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "m", Table: "t", Columns: cols, Method: LoadAppend, Files: files}); err != nil {
		t.Fatal(err)
	}
	if got := f.one(`SELECT string_agg(CAST(id AS VARCHAR) || v, ',') FROM m.t`); got != "3mine" {
		t.Fatalf("lake table after the second writer: %v, want only its row", got)
	}
	// A long writer opens a database of its own and closes it.
	long, err := f.lake.NewTableWriter(f.ctx, "m", "t", cols)
	if err != nil {
		t.Fatal(err)
	}
	if long.pair == used {
		t.Fatalf("a table writer took a buffer writer's database")
	}
	long.Abort()
	again, err := f.lake.NewBufferWriter(f.ctx, "m", "t", cols)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Abort()
	if again.pair != used {
		t.Fatalf("a buffer writer after a table writer opened a database; want the idle one")
	}
}
