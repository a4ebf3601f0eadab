package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"

	"github.com/sluice-dev/sluice/activities"
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
	lk, database := l.lake(t), l.database
	runSplit := func(method string, wantRows int64, wantSnapshots int) service.SyncRun {
		t.Helper()
		l.configureSplit(t, method)
		before := snapshotCount(t, lk)
		started, err := l.env.Service.RunSync(ctx, l.team, l.source.ID)
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

// TestSplitTableRangeFailingOnceIsRetriedAlone: the source connection of
// one range is killed while the ranges wait on a lock; that range alone is
// tried again (attempt 2 in the run's history, every other range once), and
// the table still lands exactly once.
func TestSplitTableRangeFailingOnceIsRetriedAlone(t *testing.T) {
	ctx := context.Background()
	l := newLiveSource(t, "fxsplit_", splitSourceSQL)
	lk := l.lake(t)
	l.configureSplit(t, syncspec.LoadOverwrite)
	release := testenv.LockTable(t, l.database, "public.big")
	started, err := l.env.Service.RunSync(ctx, l.team, l.source.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The first range alone reads "… WHERE (id) <= ($1)": no lower bound.
	const firstRange = "FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%WHERE (\"id\") <= ($1)%'"
	for deadline := time.Now().Add(time.Minute); testenv.QueryPostgresIn(t, l.database, "SELECT count(*) "+firstRange) != "1"; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first range never waited on the lock")
		}
	}
	if killed := testenv.QueryPostgresIn(t, l.database, "SELECT count(pg_terminate_backend(pid)) "+firstRange); killed != "1" {
		t.Fatalf("killed %s connections of the first range, want 1", killed)
	}
	release()
	run := l.waitRun(t, func(r service.SyncRun) bool { return r.ID == started.ID && finishedRun(r) })
	if run.Status != "succeeded" || run.Tables[0].RowsRead != 25715 {
		t.Fatalf("run = %+v, tables %+v", run.SyncRun, run.Tables)
	}
	sameRows(t, lk, l.database, "split.big")
	attempts := rangeAttempts(t, l, run.WorkflowID)
	if len(attempts) != 7 || attempts[0] != 2 {
		t.Fatalf("attempts per range = %v, want 7 ranges and the first tried twice", attempts)
	}
	for r, n := range attempts[1:] {
		if n != 1 {
			t.Errorf("range %d was tried %d times, want once", r+1, n)
		}
	}
}

// rangeAttempts reads from a run's history how many attempts each
// CopyTableRange took, in range order.
func rangeAttempts(t *testing.T, l liveSync, workflowID string) []int32 {
	t.Helper()
	iter := l.env.Temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	rangeOf := map[int64]int{}
	var attempts []int32
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if s := e.GetActivityTaskScheduledEventAttributes(); s != nil && s.GetActivityType().GetName() == "CopyTableRange" {
			var in activities.CopyTableRangeInput
			if err := converter.GetDefaultDataConverter().FromPayloads(s.GetInput(), &in); err != nil {
				t.Fatal(err)
			}
			rangeOf[e.EventId] = in.Range
		}
		if s := e.GetActivityTaskStartedEventAttributes(); s != nil {
			if r, ok := rangeOf[s.GetScheduledEventId()]; ok {
				for len(attempts) <= r {
					attempts = append(attempts, 0)
				}
				attempts[r] = s.GetAttempt()
			}
		}
	}
	return attempts
}

// configureSplit saves a sync of the table big with method, split_rows 4000
// (7 ranges of splitSourceSQL's table) and table_parallelism 3.
func (l liveSync) configureSplit(t *testing.T, method string) {
	t.Helper()
	splitRows := int64(4000)
	if _, err := l.env.Service.ConfigureSync(t.Context(), l.team, l.source.ID, service.SyncConfigInput{
		DestSchema: "split", Schedule: "daily", LoadMethod: method, Tables: []syncspec.TableSpec{{Name: "public.big"}},
		TableParallelism: 3, SplitRows: &splitRows,
	}); err != nil {
		t.Fatalf("configure the split sync: %v", err)
	}
}

// lake opens the team's lake.
func (l liveSync) lake(t *testing.T) *lake.Lake {
	t.Helper()
	lk, err := lake.Open(t.Context(), l.env.Pool, lake.CatalogSchemaFor(l.team), filepath.Join(l.env.DataDir, "lake", l.team.String()))
	if err != nil {
		t.Fatal(err)
	}
	return lk
}

// TestSplitTableRangeFailingForGoodCommitsNothing: a value the lake cannot
// hold (numeric NaN) in the last range fails the table at once (the
// ranges before it, three at a time, have finished by then); no range
// of it is committed, the files of the ranges that finished (some after
// the failure cancelled them) are removed, and what ranges cancelled
// mid-write left is referenced by nothing, so the orphan cleanup removes it.
func TestSplitTableRangeFailingForGoodCommitsNothing(t *testing.T) {
	l := newLiveSource(t, "fxsplit_", splitSourceSQL+`
ALTER TABLE big ADD COLUMN amount numeric; UPDATE big SET amount = CASE WHEN id = 29999 THEN 'NaN'::numeric ELSE id END;`)
	lk := l.lake(t)
	l.configureSplit(t, syncspec.LoadOverwrite)
	before := snapshotCount(t, lk)
	started, err := l.env.Service.RunSync(t.Context(), l.team, l.source.ID)
	if err != nil {
		t.Fatal(err)
	}
	run := l.waitRun(t, func(r service.SyncRun) bool { return r.ID == started.ID && finishedRun(r) })
	if run.Status != "failed" || run.Tables[0].Error == nil || !strings.Contains(*run.Tables[0].Error, "NaN") {
		t.Fatalf("run = %+v, tables %+v", run.SyncRun, run.Tables)
	}
	if got := snapshotCount(t, lk) - before; got != 0 {
		t.Fatalf("a failed split table made %d lake snapshots, want none", got)
	}
	for _, f := range stagedByRanges(t, l, run.WorkflowID) {
		if _, err := os.Stat(f.Path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a finished range's file %s is still there (%v)", f.Path, err)
		}
	}
	var left []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if _, err := lk.RemoveOrphanFiles(t.Context(), 0); err != nil {
			t.Fatal(err)
		}
		if left = parquetFiles(t, lk.DataPath()); len(left) == 0 {
			return
		}
	}
	t.Fatalf("files left in the lake after the orphan cleanup: %v", left)
}

// stagedByRanges reads from a run's history the files its CopyTableRange
// activities staged and reported.
func stagedByRanges(t *testing.T, l liveSync, workflowID string) []lake.StagedFile {
	t.Helper()
	iter := l.env.Temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var files []lake.StagedFile
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if c := e.GetActivityTaskCompletedEventAttributes(); c != nil {
			var out activities.CopyTableRangeOutput
			if converter.GetDefaultDataConverter().FromPayloads(c.GetResult(), &out) == nil {
				files = append(files, out.Files...)
			}
		}
	}
	if len(files) == 0 {
		t.Fatal("no range finished before the failure: nothing to discard")
	}
	return files
}

// parquetFiles lists the Parquet files under dir.
func parquetFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".parquet") {
			out = append(out, path)
		}
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}
