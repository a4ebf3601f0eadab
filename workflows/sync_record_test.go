package workflows_test

import (
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/observability"
	"github.com/sluice-dev/sluice/service"
	"github.com/sluice-dev/sluice/syncspec"
)

// testdata/replay/SyncWorkflow-before-start-run.json is a scheduled run
// recorded by the workflow code from before StartSyncRun (the parent of
// commit 8fbf8f7), which planned first. It cannot be recorded again from
// this code; it stays so the replay test checks that runs started before the
// change still replay, through the recordRunFirst version marker.

// testdata/replay/SyncWorkflow-before-lean-run-{a,b}.json are the two runs
// below as the code from before leanRun recorded them (commit 17d9979):
// bookkeeping as activities and the end report as an activity of the run.

// TestRecordSyncHistories runs two real SyncWorkflows against a Postgres
// source and the team's lake — a scheduled run of two tables that succeeds,
// then, after an incompatible type change of one source column, a manual
// run that is partially_succeeded — and records their histories for the
// replay test, with the SyncReport workflows that reported them. It only
// runs when SLUICE_RECORD_HISTORIES=1.
func TestRecordSyncHistories(t *testing.T) {
	skipUnlessRecording(t)
	l := newLiveSync(t)
	l.trigger(t)
	first := l.waitRun(t, finishedRun)
	if first.Status != "succeeded" || first.Trigger != "schedule" || len(first.Tables) != 2 || first.RowsWritten != 700 {
		t.Fatalf("scheduled run = %+v", first.SyncRun)
	}
	l.waitTask(t, first.ID, func(d service.TaskRunDetail) bool { return d.Status == observability.StatusSuccess })

	testenv.ExecPostgresIn(t, l.database, "ALTER TABLE orders ALTER COLUMN note TYPE int USING length(note)")
	if _, err := l.env.Service.RunSync(t.Context(), l.team, l.source.ID); err != nil {
		t.Fatal(err)
	}
	second := l.waitRun(t, func(r service.SyncRun) bool { return r.ID != first.ID && finishedRun(r) })
	if second.Status != "partially_succeeded" || second.Trigger != "manual" {
		t.Fatalf("run after the type change = %+v", second.SyncRun)
	}
	task := l.waitTask(t, second.ID, func(d service.TaskRunDetail) bool { return d.Status != observability.StatusRunning })
	if task.Status != observability.StatusFailed || len(task.Transformations) != 1 {
		t.Fatalf("partial run as a task = %+v with %d transformations", task.TaskRun, len(task.Transformations))
	}
	recordAll(t, l.env, "WorkflowType = 'SyncWorkflow' AND TaskQueue = '"+l.env.TaskQueue+"' AND ExecutionStatus = 'Completed'", 2)
	recordAll(t, l.env, "WorkflowType = 'SyncReport' AND TaskQueue = '"+l.env.TaskQueue+"' AND ExecutionStatus = 'Completed'", 2)
}

// TestRecordEmbedSchemaHistory records the EmbedSchema run that creating a
// Postgres connection starts, for the replay test. It only runs when
// SLUICE_RECORD_HISTORIES=1.
func TestRecordEmbedSchemaHistory(t *testing.T) {
	skipUnlessRecording(t)
	l := newLiveSync(t)
	recordAll(t, l.env, "WorkflowType = 'EmbedSchema' AND TaskQueue = '"+l.env.TaskQueue+"' AND ExecutionStatus = 'Completed'", 1)
}

// TestRecordSplitSyncHistory records a run that copies a table split into
// key ranges (SyncWorkflow-split-a.json), for the replay test. It only runs
// when SLUICE_RECORD_HISTORIES=1.
func TestRecordSplitSyncHistory(t *testing.T) {
	skipUnlessRecording(t)
	l := newLiveSource(t, "fxsplit_", splitSourceSQL)
	l.configureSplit(t, syncspec.LoadMerge)
	if _, err := l.env.Service.RunSync(t.Context(), l.team, l.source.ID); err != nil {
		t.Fatal(err)
	}
	if run := l.waitRun(t, finishedRun); run.Status != "succeeded" {
		t.Fatalf("split run = %+v", run.SyncRun)
	}
	recordLabelled(t, l.env, "WorkflowType = 'SyncWorkflow' AND TaskQueue = '"+l.env.TaskQueue+"' AND ExecutionStatus = 'Completed'", 1, "-split")
}
