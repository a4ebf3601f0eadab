package api_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/api"
	"github.com/sluice-dev/sluice/internal/testenv"
)

// waitForLockWaiter waits until a query of the test's database waits on a
// lock, that is until a request is held inside its handler.
func waitForLockWaiter(t *testing.T, env *testenv.Env) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		err := env.Pool.QueryRow(context.Background(),
			"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no request is waiting on the lock after 20s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestObservabilityShedsLoad serves with an in-flight bound of one, holds
// the observability routes' one slot with a read blocked on a table lock,
// and checks that /log/* and /api/* then answer 503 at once with
// Retry-After (before authentication, so even without a token), that the
// other route group keeps its own slot, and that requests succeed again
// once the slot frees.
func TestObservabilityShedsLoad(t *testing.T) {
	env := testenv.New(t)
	env.Router = api.NewRouter(env.Service, api.Options{MaxInFlight: 1})
	token := env.Token(t, "acme")
	startTask(t, env, token, "shed-1", "app", "task")

	ctx := context.Background()
	tx, err := env.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE obs_task_runs IN ACCESS EXCLUSIVE MODE"); err != nil {
		_ = tx.Rollback(ctx)
		t.Fatal(err)
	}
	// A request that is not shed waits on the lock; releasing it after a
	// while turns that into a failure instead of a hung test.
	var once sync.Once
	unlock := func() { once.Do(func() { _ = tx.Rollback(ctx) }) }
	defer unlock()
	time.AfterFunc(15*time.Second, unlock)
	held := make(chan testenv.Response, 1)
	go func() { held <- env.Do(t, http.MethodGet, "/api/tasks", token, nil) }()
	waitForLockWaiter(t, env)

	shed := []struct {
		method, path, token string
		body                any
	}{
		{http.MethodPost, "/log/metrics", token, map[string]any{"task_id": "shed-1", "metrics": []any{}}},
		{http.MethodPost, "/log/task", token, map[string]any{"task_id": "shed-2", "status": "start"}},
		{http.MethodGet, "/api/pipelines", token, nil},
		{http.MethodGet, "/api/tasks/shed-1", token, nil},
		{http.MethodGet, "/api/lineage?dataset=a", "", nil},
	}
	for _, r := range shed {
		res := env.Do(t, r.method, r.path, r.token, r.body)
		if after, err := strconv.Atoi(res.Header.Get("Retry-After")); res.Status != http.StatusServiceUnavailable || err != nil || after < 1 {
			t.Errorf("%s %s while the slot is held: %d (Retry-After %q) %s", r.method, r.path, res.Status, res.Header.Get("Retry-After"), res.Body)
			continue
		}
		assertErrorCode(t, res.Body, "overloaded")
	}
	if res := env.Do(t, http.MethodGet, "/v1/api/integrations", token, nil); res.Status != http.StatusOK {
		t.Errorf("a route outside observability while the slot is held: %d %s", res.Status, res.Body)
	}
	select {
	case res := <-held:
		t.Fatalf("the held request finished while the lock was held: %d %s", res.Status, res.Body)
	default:
	}

	unlock()
	if res := <-held; res.Status != http.StatusOK || len(obsList(jsonObject(t, res.Body)["tasks"])) != 1 {
		t.Fatalf("the held request: %d %s", res.Status, res.Body)
	}
	obsPost(t, env, token, "/log/metrics", map[string]any{"task_id": "shed-1", "metrics": []any{
		map[string]any{"asset_name": "a", "asset_type": "table", "metric_type": "rows", "value": 3}}}, http.StatusCreated)
	if task := obsGet(t, env, token, "/api/tasks/shed-1")["task"].(map[string]any); len(obsList(task["metrics"])) != 1 {
		t.Fatalf("after the load dropped: %v", task)
	}
	if res := env.Do(t, http.MethodGet, "/api/lineage?dataset=a", "", nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("without a token once the slot is free: %d %s", res.Status, res.Body)
	}
}
