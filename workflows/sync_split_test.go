package workflows_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/lake"
	"github.com/sluice-dev/sluice/service"
	"github.com/sluice-dev/sluice/syncspec"
)

// splitSourceSQL is a table of 25,715 rows whose ids have gaps, analyzed so
// its estimate is known: with split_rows 4000 it is planned as 7 ranges.
const splitSourceSQL = `
CREATE TABLE big (id bigint PRIMARY KEY, v text NOT NULL);
INSERT INTO big SELECT g, 'v' || g FROM generate_series(1, 30000) g WHERE g % 7 <> 0;
ANALYZE big;`

// TestSplitTableCopiesEveryRowOnce runs real syncs of a table split into
// key ranges: an overwrite, then a merge after updates and deletes at the
// source. Each yields exactly the source's rows (count, distinct keys, sum
// of keys and of a value), shows each range's rows in range_rows, commits
// the table's rows as one snapshot (the merge's delete detection, which
// sees the whole table, adds its own), and shows its ranges in the run's
// history as one CopyTableRange each, at most table_parallelism at once,
// then one CopyTable that commits them.
func TestSplitTableCopiesEveryRowOnce(t *testing.T) {
	ctx := context.Background()
	l := newLiveSource(t, "fxsplit_", splitSourceSQL)
	env, team, source, database := l.env, l.team, l.source, l.database
	lk, err := lake.Open(ctx, env.Pool, lake.CatalogSchemaFor(team), filepath.Join(env.DataDir, "lake", team.String()))
	if err != nil {
		t.Fatal(err)
	}
	splitRows := int64(4000)
	runSplit := func(method string, wantRows int64, wantSnapshots int) service.SyncRun {
		t.Helper()
		if _, err := env.Service.ConfigureSync(ctx, team, source.ID, service.SyncConfigInput{
			DestSchema: "split", Schedule: "daily", LoadMethod: method, Tables: []syncspec.TableSpec{{Name: "public.big"}},
			TableParallelism: 3, SplitRows: &splitRows,
		}); err != nil {
			t.Fatal(err)
		}
		before := snapshotCount(t, lk)
		started, err := env.Service.RunSync(ctx, team, source.ID)
		if err != nil {
			t.Fatal(err)
		}
		run := l.waitRun(t, func(r service.SyncRun) bool { return r.ID == started.ID && finishedRun(r) })
		if run.Status != "succeeded" || len(run.Tables) != 1 || run.Tables[0].RowsRead != wantRows {
			t.Fatalf("%s run = %+v, tables %+v", method, run.SyncRun, run.Tables)
		}
		var rangeRows map[string]int64
		if err := json.Unmarshal(run.Tables[0].RangeRows, &rangeRows); err != nil || len(rangeRows) != 7 || sumOf(rangeRows) != wantRows {
			t.Errorf("%s: range_rows %s (%v), want 7 ranges reading %d rows", method, run.Tables[0].RangeRows, err, wantRows)
		}
		if got := snapshotCount(t, lk) - before; got != wantSnapshots {
			t.Errorf("%s of a split table made %d lake snapshots, want %d", method, got, wantSnapshots)
		}
		if ranges := scheduledActivities(t, l, run.WorkflowID, "CopyTableRange"); ranges != 7 {
			t.Errorf("%s: %d CopyTableRange activities, want 7", method, ranges)
		}
		if commits := scheduledActivities(t, l, run.WorkflowID, "CopyTable"); commits != 1 {
			t.Errorf("%s: %d CopyTable activities, want 1 committing the ranges", method, commits)
		}
		if open := maxOpenActivities(t, l, run.WorkflowID, "CopyTableRange"); open != 3 {
			t.Errorf("%s: %d ranges were copying at once, want table_parallelism 3", method, open)
		}
		return run
	}
	runSplit(syncspec.LoadOverwrite, 25715, 1)
	sameRows(t, lk, database, "split.big")

	testenv.ExecPostgresIn(t, database, `UPDATE big SET v = 'changed' || id WHERE id % 100 = 1;
DELETE FROM big WHERE id BETWEEN 12000 AND 12010; INSERT INTO big VALUES (40000, 'new'), (-5, 'below the planned range');`)
	// The merge's rows are one snapshot; the soft delete marks, as after
	// any merge, one of their own.
	runSplit(syncspec.LoadMerge, 25715-10+2, 2)
	sameRows(t, lk, database, "split.big WHERE _sluice_deleted_at IS NULL")
}

// sameRows compares the source table big with the lake table's rows that
// from selects: count, distinct keys, sum of keys and a checksum of values.
func sameRows(t *testing.T, lk *lake.Lake, database, from string) {
	t.Helper()
	const summary = "SELECT count(*), count(DISTINCT id), sum(id)::bigint, sum(length(v) * (id %% 1000))::bigint FROM %s"
	want := testenv.QueryPostgresIn(t, database, fmt.Sprintf(summary, "big"))
	res, err := lk.Query(context.Background(), fmt.Sprintf(summary, from), lake.QueryOptions{MaxRows: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(res.Rows[0]...); got != want {
		t.Fatalf("lake %s: count, distinct keys, sums = %s, source has %s", from, got, want)
	}
}

func snapshotCount(t *testing.T, lk *lake.Lake) int {
	t.Helper()
	snaps, err := lk.Snapshots(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(snaps)
}

func sumOf(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
