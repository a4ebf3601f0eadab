package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// post sends a report and fails the test unless it answers want.
func obsPost(t testing.TB, env *testenv.Env, token, path string, body any, want int) map[string]any {
	t.Helper()
	res := env.Do(t, http.MethodPost, path, token, body)
	if res.Status != want {
		t.Fatalf("POST %s = %d, want %d: %s", path, res.Status, want, res.Body)
	}
	return jsonObject(t, res.Body)
}

// get reads an observability resource and fails the test unless it answers 200.
func obsGet(t testing.TB, env *testenv.Env, token, path string) map[string]any {
	t.Helper()
	res := env.Do(t, http.MethodGet, path, token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET %s = %d: %s", path, res.Status, res.Body)
	}
	return jsonObject(t, res.Body)
}

// taskPath is the URL of a task run, whatever its task_id holds.
func taskPath(taskID string) string { return "/api/tasks/" + url.PathEscape(taskID) }

// waitForStatus polls a task run until its status leaves running, and
// returns the task.
func waitForStatus(t testing.TB, env *testenv.Env, token, taskID string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		task := obsGet(t, env, token, taskPath(taskID))["task"].(map[string]any)
		if task["status"] != "running" {
			return task
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s is still running after 30s", taskID)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func startTask(t testing.TB, env *testenv.Env, token, taskID, app, task string) {
	t.Helper()
	obsPost(t, env, token, "/log/task", map[string]any{
		"task_id": taskID, "status": "start", "app_name": app, "task_name": task, "task_type": "python",
	}, http.StatusCreated)
}

func endTask(t testing.TB, env *testenv.Env, token, taskID string) map[string]any {
	t.Helper()
	obsPost(t, env, token, "/log/task", map[string]any{"task_id": taskID, "status": "end"}, http.StatusAccepted)
	return waitForStatus(t, env, token, taskID)
}

func jsonObject(t testing.TB, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("response is not a JSON object (%v): %s", err, body)
	}
	return m
}

func obsList(v any) []any {
	l, _ := v.([]any)
	return l
}
