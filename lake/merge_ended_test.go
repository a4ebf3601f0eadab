package lake

import (
	"fmt"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestMergeEndsAFileWhoseEveryRowItReplaces: a merge replacing every row of
// a file ends the file rather than writing a delete file of all of its
// rows; one replacing some of them writes a delete file of those.
func TestMergeEndsAFileWhoseEveryRowItReplaces(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col("id", connectors.KindInt), col("v", connectors.KindString)}
	merge := func(rows [][]any) {
		t.Helper()
		if _, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "m", Table: "t", Columns: cols, Method: LoadMerge,
			PrimaryKeys: []string{"id"}, Files: f.stage("m", "t", cols, rows)}); err != nil {
			t.Fatal(err)
		}
	}
	catalog := func() string {
		t.Helper()
		var ended, deletes, deleted int64
		if err := f.pool.QueryRow(f.ctx, `SELECT (SELECT count(*) FROM lake_test.ducklake_data_file WHERE end_snapshot IS NOT NULL),
			(SELECT count(*) FROM lake_test.ducklake_delete_file WHERE end_snapshot IS NULL),
			(SELECT COALESCE(sum(delete_count), 0) FROM lake_test.ducklake_delete_file WHERE end_snapshot IS NULL)`).Scan(&ended, &deletes, &deleted); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%d ended, %d delete files of %d rows", ended, deletes, deleted)
	}
	merge([][]any{{int64(1), "a"}, {int64(2), "a"}, {int64(3), "a"}})
	merge([][]any{{int64(1), "b"}, {int64(2), "b"}, {int64(3), "b"}})
	if got := catalog(); got != "1 ended, 0 delete files of 0 rows" {
		t.Fatalf("after replacing every row of the first file: %s", got)
	}
	merge([][]any{{int64(2), "c"}})
	if got := catalog(); got != "1 ended, 1 delete files of 1 rows" {
		t.Fatalf("after replacing one row of the second file: %s", got)
	}
	if got := f.one(`SELECT string_agg(CAST(id AS VARCHAR) || v, ',' ORDER BY id) FROM m.t`); got != "1b,2c,3b" {
		t.Fatalf("rows: %v", got)
	}
}
