package workflows_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/service"
	"github.com/sluice-dev/sluice/workflows"
)

// TestReplayRecordedHistories replays every history recorded in
// testdata/replay against today's workflow code: a change that would break
// running workflows (non-determinism) fails here.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/replay/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/replay; record them with SLUICE_RECORD_HISTORIES=1 go test ./workflows -run Record")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			replayer := worker.NewWorkflowReplayer()
			workflows.Register(replayer)
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}

// TestRecordHistories runs real workflows and records their histories for
// the replay test. It only runs when SLUICE_RECORD_HISTORIES=1.
func TestRecordHistories(t *testing.T) {
	skipUnlessRecording(t)
	env := testenv.New(t)
	ctx := context.Background()
	team, err := env.Service.EnsureTeam(ctx, "recorder")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Service.CreateIntegration(ctx, team, service.IntegrationInput{Type: "postgres", Credentials: testenv.PostgresCredentials("recorded")}); err != nil {
		t.Fatal(err)
	}
	wrong := testenv.MySQLCredentials()
	wrong["password"] = "recorded-wrong"
	if _, err := env.Service.CreateIntegration(ctx, team, service.IntegrationInput{Type: "mysql", Credentials: wrong}); err == nil {
		t.Fatal("wrong mysql password validated")
	}
	recordAll(t, env, "WorkflowType = 'ValidateIntegration' AND TaskQueue = '"+env.TaskQueue+"'", 2)
}

// skipUnlessRecording skips a test that records histories unless
// SLUICE_RECORD_HISTORIES=1.
func skipUnlessRecording(t *testing.T) {
	t.Helper()
	if os.Getenv("SLUICE_RECORD_HISTORIES") != "1" {
		t.Skip("set SLUICE_RECORD_HISTORIES=1 to record replay histories")
	}
}

func recordAll(t *testing.T, env *testenv.Env, query string, want int) {
	t.Helper()
	recordLabelled(t, env, query, want, "")
}

// recordLabelled is recordAll naming the files <type><label>-<letter>.json.
func recordLabelled(t *testing.T, env *testenv.Env, query string, want int, label string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		resp, err := env.Temporal.ListWorkflow(ctx, listRequest(query))
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Executions) >= want {
			for i, ex := range resp.Executions {
				var events []*historypb.HistoryEvent
				iter := env.Temporal.GetWorkflowHistory(ctx, ex.Execution.WorkflowId, ex.Execution.RunId, false, 0)
				for iter.HasNext() {
					e, err := iter.Next()
					if err != nil {
						t.Fatal(err)
					}
					events = append(events, e)
				}
				raw, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&historypb.History{Events: events})
				if err != nil {
					t.Fatal(err)
				}
				name := filepath.Join("testdata", "replay", ex.Type.Name+label+"-"+string(rune('a'+i))+".json")
				if err := os.WriteFile(name, raw, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("recorded %s", name)
			}
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("only %d workflows listed", len(resp.Executions))
		case <-time.After(200 * time.Millisecond):
		}
	}
}
