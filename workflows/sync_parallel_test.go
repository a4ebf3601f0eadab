package workflows_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sluice-dev/sluice/service"
	"github.com/sluice-dev/sluice/syncspec"
)

// TestTableParallelismBoundsCopies runs a real sync of five tables with
// table_parallelism 1 and 3 and reads each run's history: with 1 no
// CopyTable is scheduled before the one before it closed; with 3 three are
// open at once (the first workflow task schedules them together) and never
// more.
func TestTableParallelismBoundsCopies(t *testing.T) {
	ctx := context.Background()
	var ddl strings.Builder
	var specs []syncspec.TableSpec
	for i := range 5 {
		fmt.Fprintf(&ddl, "CREATE TABLE t%d (id int PRIMARY KEY, v text); INSERT INTO t%d SELECT g, 'v' || g FROM generate_series(1, 100) g;\n", i, i)
		specs = append(specs, syncspec.TableSpec{Name: fmt.Sprintf("public.t%d", i)})
	}
	l := newLiveSource(t, "fxpar_", ddl.String())
	env, team, source := l.env, l.team, l.source
	for _, n := range []int{1, 3} {
		if _, err := env.Service.ConfigureSync(ctx, team, source.ID, service.SyncConfigInput{
			DestSchema: "par", Schedule: "daily", LoadMethod: syncspec.LoadOverwrite, Tables: specs, TableParallelism: n,
		}); err != nil {
			t.Fatalf("configure with table_parallelism %d: %v", n, err)
		}
		started, err := env.Service.RunSync(ctx, team, source.ID)
		if err != nil {
			t.Fatal(err)
		}
		run := l.waitRun(t, func(r service.SyncRun) bool { return r.ID == started.ID && finishedRun(r) })
		if run.Status != "succeeded" || run.RowsWritten != 500 {
			t.Fatalf("run with table_parallelism %d = %+v", n, run.SyncRun)
		}
		if got := maxOpenActivities(t, l, run.WorkflowID, "CopyTable"); got != n {
			t.Fatalf("table_parallelism %d: at most %d CopyTable activities were open at once, want %d", n, got, n)
		}
	}
}

// maxOpenActivities reads a workflow's history and returns the most
// activities of the type that were scheduled and not yet closed at once.
func maxOpenActivities(t *testing.T, l liveSync, workflowID, activityType string) int {
	t.Helper()
	iter := l.env.Temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	open := map[int64]bool{}
	most := 0
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		var scheduled int64
		switch e.EventType {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			if e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == activityType {
				open[e.EventId] = true
				most = max(most, len(open))
			}
			continue
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			scheduled = e.GetActivityTaskCompletedEventAttributes().GetScheduledEventId()
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
			scheduled = e.GetActivityTaskFailedEventAttributes().GetScheduledEventId()
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
			scheduled = e.GetActivityTaskTimedOutEventAttributes().GetScheduledEventId()
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
			scheduled = e.GetActivityTaskCanceledEventAttributes().GetScheduledEventId()
		}
		delete(open, scheduled)
	}
	return most
}

// scheduledActivities counts the activities of the type a workflow's
// history scheduled (a retry is not scheduled again).
func scheduledActivities(t *testing.T, l liveSync, workflowID, activityType string) int {
	t.Helper()
	iter := l.env.Temporal.GetWorkflowHistory(context.Background(), workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	n := 0
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e.EventType == enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == activityType {
			n++
		}
	}
	return n
}
