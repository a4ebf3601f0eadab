package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/service"
	"github.com/sluice-dev/sluice/syncspec"
)

// syncSourceSQL is a small source of two tables with primary keys.
const syncSourceSQL = `
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, score numeric(10,2), updated_at timestamptz NOT NULL);
INSERT INTO users SELECT g, 'user' || g || '@example.com', g * 1.5, timestamptz '2025-01-01' + g * interval '1 minute'
FROM generate_series(1, 200) g;
CREATE TABLE orders (id bigint PRIMARY KEY, user_id int NOT NULL, note text);
INSERT INTO orders SELECT g, 1 + g % 200, 'n' || g FROM generate_series(1, 500) g;`

// liveSync is a real sluice stack with a Postgres source of its own (a
// scratch database holding only syncSourceSQL's tables) and its sync config.
type liveSync struct {
	env      *testenv.Env
	team     uuid.UUID
	source   service.Integration
	database string
	config   service.SyncConfig
}

// newLiveSync creates the stack, the source and a merge sync of its tables
// into the team's lake.
func newLiveSync(t *testing.T) liveSync {
	t.Helper()
	l := newLiveSource(t, "fxsync_", syncSourceSQL)
	cfg, err := l.env.Service.ConfigureSync(context.Background(), l.team, l.source.ID, service.SyncConfigInput{
		DestSchema: "production_db", Schedule: "daily", LoadMethod: syncspec.LoadMerge,
		Tables: []syncspec.TableSpec{{Name: "public.users"}, {Name: "public.orders"}},
	})
	if err != nil {
		t.Fatalf("configure the sync: %v", err)
	}
	l.config = cfg
	return l
}

// newLiveSource is a real sluice stack with a Postgres source of its own
// (a scratch database made by sql) and no sync configured yet.
func newLiveSource(t *testing.T, prefix, sql string) liveSync {
	t.Helper()
	ctx := context.Background()
	env := testenv.New(t)
	team, err := env.Service.EnsureTeam(ctx, "recorder")
	if err != nil {
		t.Fatal(err)
	}
	database := testenv.PostgresDatabase(t, prefix, sql)
	creds := testenv.PostgresCredentials("recorded")
	creds["database"] = database
	source, err := env.Service.CreateIntegration(ctx, team, service.IntegrationInput{Type: "postgres", Name: "Production DB", Credentials: creds})
	if err != nil {
		t.Fatalf("create the source: %v", err)
	}
	return liveSync{env: env, team: team, source: source, database: database}
}

// trigger fires the sync's Schedule now, as a scheduled run.
func (l liveSync) trigger(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if err := l.env.Temporal.ScheduleClient().GetHandle(ctx, l.config.ScheduleID).Trigger(ctx, client.ScheduleTriggerOptions{}); err != nil {
		t.Fatalf("trigger the schedule: %v", err)
	}
}

// waitRun waits for the newest run of the sync that satisfies done.
func (l liveSync) waitRun(t *testing.T, done func(service.SyncRun) bool) service.SyncRun {
	t.Helper()
	var runs []service.SyncRun
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var err error
		if runs, err = l.env.Service.SyncHistory(context.Background(), l.team, l.source.ID, 10); err != nil {
			t.Fatal(err)
		}
		if len(runs) > 0 && done(runs[0]) {
			return runs[0]
		}
	}
	t.Fatalf("no run reached the state wanted in time: %+v", runs)
	return service.SyncRun{}
}

// finishedRun says whether a run reached a final status.
func finishedRun(run service.SyncRun) bool {
	switch run.Status {
	case "succeeded", "partially_succeeded", "failed", "cancelled":
		return true
	}
	return false
}

// waitTask waits until the sync run's task run satisfies done.
func (l liveSync) waitTask(t *testing.T, runID uuid.UUID, done func(service.TaskRunDetail) bool) service.TaskRunDetail {
	t.Helper()
	var task service.TaskRunDetail
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var err error
		task, err = l.env.Service.GetTaskRun(context.Background(), l.team, service.SyncTaskID(runID.String()))
		if err == nil && done(task) {
			return task
		}
	}
	t.Fatalf("the task run of sync run %s did not reach the state wanted in time: %+v", runID, task)
	return task
}
