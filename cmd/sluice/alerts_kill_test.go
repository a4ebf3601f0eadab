package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/service"
	"github.com/sluice-dev/sluice/worker"
	"github.com/sluice-dev/sluice/workflows"
)

// TestWorkerKilledMidDeliverySendsAtMostOneDuplicate SIGKILLs a real
// `sluice worker` while its dispatcher waits on the receiver's answer. The
// next worker sends the notification again once the lease runs out: the
// receiver holds it at most twice, with one delivery id, and the delivery
// log says a duplicate is possible.
func TestWorkerKilledMidDeliverySendsAtMostOneDuplicate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and waits out a heartbeat timeout")
	}
	bin := sluiceBinary(t)
	env := testenv.NewWithoutWorker(t, func(o *service.Options) {})
	token := env.Token(t, "acme")

	var mu sync.Mutex
	var deliveries []string
	first := make(chan struct{})
	rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body to its end lets the server notice the client
		// going away (the request's context ends when the worker dies).
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		deliveries = append(deliveries, r.Header.Get("X-Sluice-Delivery"))
		n := len(deliveries)
		mu.Unlock()
		if n == 1 {
			close(first)
			<-r.Context().Done() // never answers: the worker dies waiting
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer rx.Close()

	// The dispatcher's spans heartbeat every round; a 2 s heartbeat timeout
	// moves a dead worker's span to the next worker quickly.
	if err := worker.StartAlertDispatcher(t.Context(), env.Temporal, env.TaskQueue,
		workflows.AlertDispatcherInput{Span: time.Minute, HeartbeatTimeout: 2 * time.Second}); err != nil {
		t.Fatal(err)
	}
	alertEnv := []string{"SLUICE_ALERT_LEASE=4s", "SLUICE_ALERT_SEND_TIMEOUT=3s", "SLUICE_ALERT_RETRY_BASE=200ms"}
	w := startWorker(t, bin, env, alertEnv...)

	res := env.Do(t, http.MethodPost, "/v1/api/alerts/channels", token, map[string]any{"name": "hook", "type": "webhook", "url": rx.URL})
	if res.Status != http.StatusCreated {
		t.Fatalf("channel: %d %s", res.Status, res.Body)
	}
	channel := res.JSON(t)["id"].(string)
	if res := env.Do(t, http.MethodPost, "/v1/api/alerts/rules", token, map[string]any{
		"name": "schemas", "event": "dataset.schema_changed", "channel_id": channel}); res.Status != http.StatusCreated {
		t.Fatalf("rule: %d %s", res.Status, res.Body)
	}
	// A dataset whose schema changes emits the event from the API.
	for i, columns := range [][]any{{"id-INTEGER"}, {"id-INTEGER", "name-STRING"}} {
		task := []string{"load-1", "load-2"}[i]
		if res := env.Do(t, http.MethodPost, "/log/task", token, map[string]any{"task_id": task, "status": "start", "app_name": "etl",
			"task_name": "load", "task_type": "python"}); res.Status != http.StatusCreated {
			t.Fatalf("start: %d %s", res.Status, res.Body)
		}
		metadata := []any{}
		for n, c := range columns {
			metadata = append(metadata, map[string]any{"info_type": "schema_field", "info_value": c, "info_num": n})
		}
		if res := env.Do(t, http.MethodPost, "/log/dataset", token, map[string]any{"task_id": task, "ds_name": "sales", "metadata": metadata}); res.Status != http.StatusCreated {
			t.Fatalf("dataset: %d %s", res.Status, res.Body)
		}
	}

	select {
	case <-first:
	case <-time.After(time.Minute):
		t.Fatal("the receiver got nothing within a minute")
	}
	if err := w.Process.Kill(); err != nil { // SIGKILL, mid-send
		t.Fatal(err)
	}
	_ = w.Wait()
	startWorker(t, bin, env, alertEnv...)

	var log map[string]any
	waitFor(t, 90*time.Second, "the delivery to be delivered", func() bool {
		list := env.Do(t, http.MethodGet, "/v1/api/alerts/channels/"+channel+"/deliveries", token, nil).JSON(t)["deliveries"].([]any)
		if len(list) == 1 {
			log = list[0].(map[string]any)
		}
		return log != nil && log["status"] == "delivered"
	})
	time.Sleep(2 * time.Second) // no third send
	mu.Lock()
	defer mu.Unlock()
	if len(deliveries) != 2 || deliveries[0] != deliveries[1] {
		t.Fatalf("receiver got deliveries %v, want the same one twice", deliveries)
	}
	if log["attempts"] != float64(2) || log["possible_duplicates"] != float64(1) {
		t.Fatalf("delivery log = %v", log)
	}
}
