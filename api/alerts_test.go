package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/alerts"
	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/worker"
	"github.com/sluice-dev/sluice/workflows"
)

// alertEnv is a stack whose worker runs the alert dispatcher with quick
// retries.
func alertEnv(t *testing.T) *testenv.Env { return alertEnvB(t) }

func alertEnvB(t testing.TB) *testenv.Env {
	t.Helper()
	env := testenv.NewWithWorker(t, func(d *worker.Deps) {
		d.Alerts = alerts.Dispatcher{RetryBase: 100 * time.Millisecond, Lease: 5 * time.Second, Sender: alerts.NewSender(2 * time.Second)}
	})
	if err := worker.StartAlertDispatcher(t.Context(), env.Temporal, env.TaskQueue, workflows.AlertDispatcherInput{Span: time.Minute}); err != nil {
		t.Fatal(err)
	}
	return env
}

// createChannel creates a webhook channel to url and returns its id and secret.
func createChannel(t *testing.T, env *testenv.Env, token, name, url string) (string, string) {
	t.Helper()
	res := env.Do(t, http.MethodPost, "/v1/api/alerts/channels", token, map[string]any{"name": name, "type": "webhook", "url": url})
	if res.Status != http.StatusCreated {
		t.Fatalf("create channel: %d %s", res.Status, res.Body)
	}
	ch := res.JSON(t)
	return ch["id"].(string), ch["secret"].(string)
}

func createRule(t *testing.T, env *testenv.Env, token string, body map[string]any) string {
	t.Helper()
	res := env.Do(t, http.MethodPost, "/v1/api/alerts/rules", token, body)
	if res.Status != http.StatusCreated {
		t.Fatalf("create rule: %d %s", res.Status, res.Body)
	}
	return res.JSON(t)["id"].(string)
}

func deliveries(t *testing.T, env *testenv.Env, token, channel string) []any {
	t.Helper()
	res := env.Do(t, http.MethodGet, "/v1/api/alerts/channels/"+channel+"/deliveries", token, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("deliveries: %d %s", res.Status, res.Body)
	}
	return res.JSON(t)["deliveries"].([]any)
}

// TestAlertChannelsAndRulesAPI covers the channel and rule endpoints: the
// secret shown once, the URL's path never, validation, and team isolation.
func TestAlertChannelsAndRulesAPI(t *testing.T) {
	env := testenv.New(t)
	token, other := env.Token(t, "acme"), env.Token(t, "globex")
	res := env.Do(t, http.MethodPost, "/v1/api/alerts/channels", token, map[string]any{
		"name": "slack", "type": "slack", "url": "https://hooks.slack.com/services/T000/B000/XXXXSECRET"})
	if res.Status != http.StatusCreated || strings.Contains(string(res.Body), "XXXXSECRET") {
		t.Fatalf("create slack channel: %d %s", res.Status, res.Body)
	}
	slack := res.JSON(t)
	if slack["url"] != "https://hooks.slack.com/…" || slack["secret"] != nil {
		t.Fatalf("slack channel = %v", slack)
	}
	hook, secret := createChannel(t, env, token, "hook", "https://example.com/hooks/sluice?token=abc")
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("generated secret = %q", secret)
	}
	got := env.Do(t, http.MethodGet, "/v1/api/alerts/channels/"+hook, token, nil)
	if got.Status != http.StatusOK || strings.Contains(string(got.Body), secret) || strings.Contains(string(got.Body), "token=abc") {
		t.Fatalf("get channel shows its secret or URL: %d %s", got.Status, got.Body)
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"no type", map[string]any{"name": "x", "url": "https://a.example"}, "type"},
		{"bad type", map[string]any{"name": "x", "type": "email", "url": "https://a.example"}, "webhook, slack"},
		{"ftp url", map[string]any{"name": "x", "type": "webhook", "url": "ftp://a.example"}, "https://"},
		{"user in url", map[string]any{"name": "x", "type": "webhook", "url": "https://u:p@a.example"}, "user name"},
		{"short secret", map[string]any{"name": "x", "type": "webhook", "url": "https://a.example", "secret": "short"}, "16"},
		{"duplicate name", map[string]any{"name": "hook", "type": "webhook", "url": "https://a.example"}, "already exists"},
		{"NUL in name", map[string]any{"name": "a\x00b", "type": "webhook", "url": "https://a.example"}, "NUL"},
	} {
		res := env.Do(t, http.MethodPost, "/v1/api/alerts/channels", token, tc.body)
		if res.Status/100 != 4 || !strings.Contains(string(res.Body), tc.want) {
			t.Errorf("%s: %d %s (want 4xx naming %q)", tc.name, res.Status, res.Body, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"unknown event", map[string]any{"name": "r", "event": "sync.exploded", "channel_id": hook}, "event must be one of"},
		{"filter the event lacks", map[string]any{"name": "r", "event": "task_run.failed", "channel_id": hook, "asset": "x"}, "does not apply"},
		{"stale without hours", map[string]any{"name": "r", "event": "sync.stale", "channel_id": hook}, "stale_hours"},
		{"NUL in a filter", map[string]any{"name": "r", "event": "task_run.failed", "channel_id": hook, "app": "a\x00b"}, "NUL"},
		{"another team's channel", map[string]any{"name": "r", "event": "task_run.failed", "channel_id": "00000000-0000-4000-8000-000000000000"}, "names no channel"},
	} {
		res := env.Do(t, http.MethodPost, "/v1/api/alerts/rules", token, tc.body)
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), tc.want) {
			t.Errorf("%s: %d %s (want 400 naming %q)", tc.name, res.Status, res.Body, tc.want)
		}
	}
	rule := createRule(t, env, token, map[string]any{"name": "failures", "event": "task_run.failed", "channel_id": hook, "app": "etl"})
	res = env.Do(t, http.MethodPatch, "/v1/api/alerts/rules/"+rule, token, map[string]any{"enabled": false})
	if res.Status != http.StatusOK || res.JSON(t)["enabled"] != false || res.JSON(t)["app"] != "etl" {
		t.Fatalf("disable rule: %d %s", res.Status, res.Body)
	}
	// Another team sees none of it and cannot route its rules to it.
	for _, path := range []string{"/v1/api/alerts/channels/" + hook, "/v1/api/alerts/rules/" + rule, "/v1/api/alerts/channels/" + hook + "/deliveries"} {
		if res := env.Do(t, http.MethodGet, path, other, nil); res.Status != http.StatusNotFound {
			t.Errorf("other team GET %s: %d %s", path, res.Status, res.Body)
		}
	}
	if res := env.Do(t, http.MethodPost, "/v1/api/alerts/rules", other, map[string]any{"name": "r", "event": "task_run.failed", "channel_id": hook}); res.Status != http.StatusBadRequest {
		t.Errorf("other team's rule to this channel: %d %s", res.Status, res.Body)
	}
	if list := env.Do(t, http.MethodGet, "/v1/api/alerts/channels", other, nil).JSON(t)["channels"].([]any); len(list) != 0 {
		t.Errorf("other team lists %v", list)
	}
	if res := env.Do(t, http.MethodDelete, "/v1/api/alerts/channels/"+hook, token, nil); res.Status != http.StatusOK {
		t.Fatalf("delete channel: %d %s", res.Status, res.Body)
	}
	if res := env.Do(t, http.MethodGet, "/v1/api/alerts/rules/"+rule, token, nil); res.Status != http.StatusNotFound {
		t.Fatalf("a deleted channel's rule remains: %d %s", res.Status, res.Body)
	}
}

// TestFailedTaskRunIsDeliveredOnceSigned fails a task run reported through
// /log/task; the rule's webhook gets it exactly once, signed with the
// channel's secret, naming the run, with links; a run of another app and a
// successful run send nothing.
func TestFailedTaskRunIsDeliveredOnceSigned(t *testing.T) {
	env := alertEnv(t)
	token := env.Token(t, "acme")
	rx := newAlertReceiver(t)
	channel, secret := createChannel(t, env, token, "hook", rx.URL)
	createRule(t, env, token, map[string]any{"name": "etl failures", "event": "task_run.failed", "channel_id": channel, "app": "etl"})
	createRule(t, env, token, map[string]any{"name": "all failures", "event": "task_run.failed", "channel_id": channel})

	for _, run := range []struct{ id, app, result string }{{"ok-1", "etl", "success"}, {"bad-1", "etl", "failed"}} {
		startTask(t, env, token, run.id, run.app, "load")
		obsPost(t, env, token, "/log/task", map[string]any{"task_id": run.id, "status": "end", "result": run.result, "error": "disk full"}, http.StatusAccepted)
		waitForStatus(t, env, token, run.id)
	}
	got := rx.waitReceived(t, 1, 30*time.Second)[0]
	if !alerts.Verify(secret, got.Body, got.Signature) {
		t.Fatalf("signature %q does not verify", got.Signature)
	}
	var msg alerts.Message
	if err := json.Unmarshal(got.Body, &msg); err != nil {
		t.Fatal(err)
	}
	var subject map[string]any
	_ = json.Unmarshal(msg.Subject, &subject)
	if msg.Event != alerts.TaskRunFailed || got.Event != alerts.TaskRunFailed || subject["task_id"] != "bad-1" ||
		!strings.Contains(msg.Summary, "disk full") || msg.Links.Console == "" || !strings.Contains(msg.Links.Temporal+msg.Links.API, "bad-1") {
		t.Fatalf("message = %+v (subject %v)", msg, subject)
	}
	if got.Delivery != fmt.Sprint(msg.DeliveryID) {
		t.Fatalf("X-Sluice-Delivery %q, body delivery_id %d", got.Delivery, msg.DeliveryID)
	}
	log := deliveries(t, env, token, channel)
	if len(log) != 1 || log[0].(map[string]any)["status"] != "delivered" || log[0].(map[string]any)["attempts"] != float64(1) {
		t.Fatalf("delivery log = %v", log)
	}
}

// TestAlertRetriesServerErrorsAndStopsOnClientErrors: a receiver that
// answers 500 three times, then 200, gets the notification delivered once
// (four attempts logged); a receiver answering 404 is tried once.
func TestAlertRetriesServerErrorsAndStopsOnClientErrors(t *testing.T) {
	env := alertEnv(t)
	token := env.Token(t, "acme")
	flaky, gone := newAlertReceiver(t, 500, 500, 500), newAlertReceiver(t, 404, 404, 404)
	flakyID, _ := createChannel(t, env, token, "flaky", flaky.URL)
	goneID, _ := createChannel(t, env, token, "gone", gone.URL)
	for _, ch := range []string{flakyID, goneID} {
		createRule(t, env, token, map[string]any{"name": "to " + ch, "event": "task_run.failed", "channel_id": ch})
	}
	startTask(t, env, token, "bad-1", "etl", "load")
	obsPost(t, env, token, "/log/task", map[string]any{"task_id": "bad-1", "status": "end", "result": "failed"}, http.StatusAccepted)

	got := flaky.waitReceived(t, 4, 30*time.Second)
	for _, g := range got[1:] {
		if g.Delivery != got[0].Delivery {
			t.Fatalf("retries carry different delivery ids: %q, %q", got[0].Delivery, g.Delivery)
		}
	}
	gone.waitReceived(t, 1, 10*time.Second)
	byStatus := func(ch string) map[string]any { return deliveries(t, env, token, ch)[0].(map[string]any) }
	if d := byStatus(flakyID); d["status"] != "delivered" || d["attempts"] != float64(4) || d["status_code"] != float64(200) {
		t.Fatalf("flaky delivery = %v", d)
	}
	if d := byStatus(goneID); d["status"] != "failed" || d["attempts"] != float64(1) || d["status_code"] != float64(404) {
		t.Fatalf("404 delivery = %v", d)
	}
}

// TestAnomalyAndSchemaChangeAlerts: a metric far off its history and a
// dataset whose columns change each send their event once.
func TestAnomalyAndSchemaChangeAlerts(t *testing.T) {
	env := alertEnv(t)
	token := env.Token(t, "acme")
	rx := newAlertReceiver(t)
	channel, _ := createChannel(t, env, token, "hook", rx.URL)
	createRule(t, env, token, map[string]any{"name": "row counts", "event": "metric.anomaly", "channel_id": channel, "metric": "row_count"})
	createRule(t, env, token, map[string]any{"name": "schemas", "event": "dataset.schema_changed", "channel_id": channel, "asset": "sales"})
	for i, v := range []float64{1000, 1010, 990, 1005, 995, 1002, 100000} {
		id := fmt.Sprintf("daily-%d", i)
		startTask(t, env, token, id, "etl", "load")
		obsPost(t, env, token, "/log/metrics", map[string]any{"task_id": id, "metrics": []any{
			map[string]any{"asset_name": "sales", "asset_type": "table", "metric_type": "row_count", "value": v},
		}}, http.StatusCreated)
		columns := []string{"id-INTEGER", "amount-DOUBLE"}
		if i == 6 {
			columns = append(columns, "currency-STRING")
		}
		obsPost(t, env, token, "/log/dataset", schemaReport(id, "sales", columns...), http.StatusCreated)
		endTask(t, env, token, id)
	}
	got := rx.waitReceived(t, 2, 30*time.Second)
	events := map[string]string{}
	for _, g := range got {
		var msg alerts.Message
		_ = json.Unmarshal(g.Body, &msg)
		events[msg.Event] = msg.Summary
	}
	if !strings.Contains(events[alerts.MetricAnomaly], "100000") || !strings.Contains(events[alerts.DatasetSchemaChanged], "1 added") {
		t.Fatalf("events = %v", events)
	}
}

// TestChannelTestAction sends a test message through the API and logs it;
// a receiver on a private address is refused when private networks are not
// allowed, as connections are.
func TestChannelTestAction(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	rx := newAlertReceiver(t)
	channel, secret := createChannel(t, env, token, "hook", rx.URL)
	res := env.Do(t, http.MethodPost, "/v1/api/alerts/channels/"+channel+"/test", token, nil)
	if res.Status != http.StatusOK || res.JSON(t)["delivered"] != true {
		t.Fatalf("test: %d %s", res.Status, res.Body)
	}
	got := rx.received()
	if len(got) != 1 || got[0].Event != alerts.TestEvent || !alerts.Verify(secret, got[0].Body, got[0].Signature) {
		t.Fatalf("received %+v", got)
	}
	if log := deliveries(t, env, token, channel); len(log) != 1 || log[0].(map[string]any)["status"] != "delivered" {
		t.Fatalf("log = %v", log)
	}
}
