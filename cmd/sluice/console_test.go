package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sluice-dev/sluice/connectors/stripe/stripetest"
	"github.com/sluice-dev/sluice/internal/testenv"
)

// consoleSource is the database a person points the console at: a table to
// sync and a view that streams slowly (a 40 ms sleep every 1000 rows, about
// 6 s) so the run's live progress can be watched.
const consoleSource = `
CREATE TABLE orders (id bigint PRIMARY KEY, amount numeric(10,2));
INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 5000) g;
CREATE VIEW slow AS
  SELECT g AS id, md5(g::text) AS label FROM generate_series(1, 150000) g
  WHERE CASE WHEN g % 1000 = 0 THEN pg_sleep(0.04) IS NOT NULL ELSE true END;`

// TestConsoleInABrowser drives the web console of a real `sluice dev` in
// headless Chromium as a newcomer would: sign in, create an integration
// (first with a wrong database, whose own message must show), configure and
// run a sync and watch its rows grow, look at the lake and query it, open
// the lineage graph and a metric chart after the seed's examples, and make a
// token. It saves a screenshot of each page (see screenshotDir).
func TestConsoleInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sluice dev and a browser")
	}
	chromiumPath(t) // skip early, before building anything
	database := testenv.PostgresDatabase(t, "console_", consoleSource)
	creds := testenv.PostgresCredentials("pw")
	dev := startDev(t)
	b := newBrowser(t, 1280, 900)
	page := consolePage{t: t, ctx: b, url: dev.url}

	page.signIn(dev.token)
	page.waitHeading("Integrations")
	page.wait("table, .empty") // the list has loaded
	page.shot("01-integrations")

	page.open("/integrations/new")
	page.waitHeading("New integration")
	page.fill(`input[name="name"]`, "Shop")
	page.fill(`input[name="host"]`, fmt.Sprint(creds["host"]))
	page.fill(`input[name="port"]`, fmt.Sprint(creds["port"]))
	page.fill(`input[name="database"]`, "no_such_database")
	page.fill(`input[name="username"]`, fmt.Sprint(creds["username"]))
	page.fill(`input[name="password"]`, "pw")
	page.fill(`select[name="sslmode"]`, "disable")
	page.click(`form button[type="submit"]`)
	if msg := page.text(`[data-testid="integration-error"]`); !strings.Contains(msg, "no_such_database") || !strings.Contains(msg, "does not exist") {
		t.Fatalf("a failed validation shows %q; want the database's own message", msg)
	}
	page.shot("02-integration-validation-failed")
	page.fill(`input[name="database"]`, database)
	page.click(`form button[type="submit"]`)
	page.waitHeading("Shop")

	page.clickText("button", "Configure a sync")
	page.wait(`input[name="table"][value="public.slow"]`)
	page.click(`input[name="table"][value="public.slow"]`)
	page.click(`input[name="table"][value="public.orders"]`)
	page.fill(`input[name="dest_schema"]`, "CONSOLE")
	page.fill(`select[name="load_method"]`, "overwrite")
	page.shot("03-sync-configure")
	page.clickText("button", "Save sync")
	page.clickText("button", "Run now")
	page.waitHeading("Sync run")

	// Live progress: the slow table's rows read grow while the run runs.
	var seen []int
	deadline := time.Now().Add(2 * time.Minute)
	for status := ""; status != "succeeded"; status = page.text(`[data-testid="run-status"]`) {
		if time.Now().After(deadline) || status == "failed" || status == "partially succeeded" {
			t.Fatalf("run ended %q (rows read seen: %v)", status, seen)
		}
		if status == "running" {
			if n := page.number(`[data-testid="run-table-public.slow"] [data-testid="rows-read"]`); n > 0 && n < 150000 {
				if len(seen) == 0 || n > seen[len(seen)-1] {
					seen = append(seen, n)
					if len(seen) == 2 {
						page.shot("04-run-in-progress")
					}
				}
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	if len(seen) < 2 {
		t.Fatalf("the page showed the running table's rows read as %v; want it to grow at least once before the end", seen)
	}
	if n := page.number(`[data-testid="run-table-public.slow"] [data-testid="rows-read"]`); n != 150000 {
		t.Fatalf("rows read of the finished table: %d, want 150000", n)
	}
	page.shot("05-run-succeeded")

	page.open("/lake")
	page.waitHeading("Lake")
	page.wait(`a[href="#/lake/CONSOLE.orders"]`)
	page.shot("06-lake")
	page.open("/lake/CONSOLE.orders")
	page.waitHeading("CONSOLE.orders")
	page.shot("07-lake-table")

	page.open("/query")
	page.fill(`textarea[name="sql"]`, "SELECT count(*) AS n, sum(amount) AS total FROM CONSOLE.orders")
	page.click(`form button[type="submit"]`)
	if got := page.text(`section[aria-label="Result"] td`); got != "5000" {
		t.Fatalf("the lake query's first cell: %q, want 5000", got)
	}
	page.shot("08-query")

	reportSeedLineage(t, dev)
	page.open("/lineage?dataset=db.orders&direction=upstream&depth=5")
	page.waitHeading("Lineage")
	if n := page.attrNumber(`[data-testid="lineage-graph"]`, "data-nodes"); n < 3 {
		t.Fatalf("the lineage graph of db.orders has %d nodes; want db.raw_orders, the transformation and db.orders", n)
	}
	time.Sleep(500 * time.Millisecond) // the layout settles
	page.shot("09-lineage")

	page.open("/metrics?asset=db.orders")
	page.waitHeading("Metrics")
	if n := page.attrNumber(`[data-testid="metric-chart"]`, "data-points"); n != len(seedMetricValues) {
		t.Fatalf("the metric chart shows %d points, want %d", n, len(seedMetricValues))
	}
	if n := page.attrNumber(`[data-testid="metric-chart"]`, "data-anomalies"); n != 1 {
		t.Fatalf("the metric chart marks %d anomalies, want 1 (the 950 among counts near 100)", n)
	}
	page.shot("10-metrics")

	page.open("/pipelines")
	page.waitHeading("Pipelines")
	page.wait(`a[href="#/pipelines?app=demo"]`)
	page.shot("11-pipelines")

	page.open("/tokens")
	page.waitHeading("Tokens")
	page.fill(`input[name="name"]`, "airflow")
	page.click(`form button[type="submit"]`)
	if tok := page.text(`[data-testid="new-token"]`); !strings.HasPrefix(tok, "slk_") {
		t.Fatalf("the new token shown: %q", tok)
	}
	page.shot("12-tokens")
	consoleAlerts(t, page, dev)
	consoleStripe(t, page)

	phone := consolePage{t: t, ctx: newBrowser(t, 390, 844), url: dev.url, suffix: "-phone"}
	phone.signIn(dev.token)
	phone.waitHeading("Integrations")
	phone.wait("table, .empty")
	if wide := phone.eval(`document.documentElement.scrollWidth > window.innerWidth + 1`); wide {
		t.Error("at phone width the integrations page scrolls sideways")
	}
	phone.shot("13-integrations")
	phone.click(`button.menu`)
	phone.wait(`nav.open`)
	phone.shot("14-menu")
}

// consoleStripe creates a Stripe integration against stripe-mock through
// the form the catalog describes, and checks its page offers syncs and
// schema but no Query button (an API source runs no SQL).
func consoleStripe(t *testing.T, page consolePage) {
	t.Helper()
	base := stripetest.Mock(t)
	page.open("/integrations/new?type=stripe")
	page.waitHeading("New integration")
	page.fill(`input[name="name"]`, "Payments")
	page.fill(`input[name="api_key"]`, stripetest.MockKey)
	page.fill(`input[name="api_base"]`, base)
	page.click(`form button[type="submit"]`)
	page.waitHeading("Payments")
	page.wait(`dl.facts`)
	if page.eval(`[...document.querySelectorAll('a.button')].some(a => a.textContent.trim() === 'Query')`) {
		t.Error("a Stripe integration's page offers Query; its data is queried in the lake")
	}
	if body := page.text("main"); strings.Contains(body, stripetest.MockKey) {
		t.Error("the Stripe integration's page shows its API key")
	}
	page.shot("12c-stripe-integration")
}

// consoleAlerts adds a webhook channel to a local receiver, sends it a test
// from its row, adds a task_run.failed rule, fails a task run through the
// API (so the `sluice dev` worker's dispatcher sends it), and opens the
// channel's delivery log.
func consoleAlerts(t *testing.T, page consolePage, dev devStack) {
	t.Helper()
	var got atomic.Int32
	rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Sluice-Signature") != "" {
			got.Add(1)
		}
	}))
	defer rx.Close()
	page.open("/alerts")
	page.waitHeading("Alerts")
	page.fill("#channel-name", "on-call")
	page.fill("#channel-url", rx.URL+"/hook")
	page.click(`section[aria-labelledby="new-channel-heading"] button[type="submit"]`)
	if secret := page.text(`[data-testid="new-channel-secret"]`); !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("the new channel's secret shown: %q", secret)
	}
	page.clickText(`[data-testid="channel-on-call"] button`, "Send test")
	page.poll("the test result", `document.body.innerText.includes("Test delivered (200")`)
	if got.Load() != 1 {
		t.Fatalf("the receiver got %d signed test messages, want 1", got.Load())
	}
	page.fill("#rule-name", "failed tasks")
	page.fill("#rule-event", "task_run.failed")
	page.click(`section[aria-labelledby="new-rule-heading"] button[type="submit"]`)
	page.wait(`[data-testid="rule-failed tasks"]`)
	page.shot("12a-alerts")
	post(t, dev, "/log/task", map[string]any{"task_id": "nightly-1", "status": "start", "app_name": "demo", "task_name": "nightly", "task_type": "python"})
	post(t, dev, "/log/task", map[string]any{"task_id": "nightly-1", "status": "end", "result": "failed", "error": "disk full"})
	for deadline := time.Now().Add(30 * time.Second); got.Load() < 2; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the failed task run did not reach the receiver within 30s (%d messages)", got.Load())
		}
	}
	page.clickText(`[data-testid="channel-on-call"] a`, "Deliveries")
	page.poll("both deliveries", `document.body.innerText.includes("Test notification") && document.body.innerText.includes("disk full")`)
	page.shot("12b-alert-deliveries")
}

// seedMetricValues are row counts of successive runs, one far off the others.
var seedMetricValues = []int{100, 102, 99, 101, 100, 103, 98, 100, 950, 101}

// reportSeedLineage reports a task run with a transformation and metrics as
// the observability seed (and the README) shows.
func reportSeedLineage(t *testing.T, dev devStack) {
	t.Helper()
	post(t, dev, "/log/task", map[string]any{"task_id": "run-42", "status": "start", "app_name": "demo", "task_name": "load", "task_type": "python"})
	post(t, dev, "/log/tf", map[string]any{"task_id": "run-42", "tf_id": 1, "input_datasets": map[string]any{"db.raw_orders": map[string]any{"columns": []string{"id", "amount"}}}, "output": map[string]any{"name": "db.orders"}})
	post(t, dev, "/log/task", map[string]any{"task_id": "run-42", "status": "end"})
	// One count per run of a daily task: anomalies are judged against the
	// series' earlier runs.
	for i, v := range seedMetricValues {
		id := fmt.Sprintf("count-%d", i)
		post(t, dev, "/log/task", map[string]any{"task_id": id, "status": "start", "app_name": "demo", "task_name": "count", "task_type": "python"})
		post(t, dev, "/log/metrics", map[string]any{"task_id": id, "metrics": []any{map[string]any{"asset_name": "db.orders", "asset_type": "table", "metric_type": "cnt", "value": v}}})
		post(t, dev, "/log/task", map[string]any{"task_id": id, "status": "end"})
	}
}

// post sends a JSON body to the dev stack's API with its token and fails
// the test on anything but a 2xx.
func post(t *testing.T, dev devStack, path string, body map[string]any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, dev.url+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+dev.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		t.Fatalf("POST %s: %d", path, res.StatusCode)
	}
}

// consolePage is one browser tab on the console, with the few gestures the
// test needs; each fails the test after 30 s.
type consolePage struct {
	t      *testing.T
	ctx    context.Context
	url    string
	suffix string // added to screenshot names
}

func (p consolePage) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

func (p consolePage) signIn(token string) {
	p.t.Helper()
	p.do("open the console", chromedp.Navigate(p.url+"/"))
	p.fill(`[data-testid="token-input"]`, token)
	p.click(`form button[type="submit"]`)
}

func (p consolePage) open(hashPath string) {
	p.t.Helper()
	p.do("open "+hashPath, chromedp.Navigate(p.url+"/#"+hashPath))
}

func (p consolePage) wait(sel string) {
	p.t.Helper()
	p.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

func (p consolePage) waitHeading(text string) {
	p.t.Helper()
	p.poll("the page heading "+strconv.Quote(text), fmt.Sprintf(`document.querySelector("h1")?.textContent === %q`, text))
}

func (p consolePage) click(sel string) {
	p.t.Helper()
	p.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// clickText clicks the first element matching sel whose text is text.
func (p consolePage) clickText(sel, text string) {
	p.t.Helper()
	js := fmt.Sprintf(`(() => { const el = [...document.querySelectorAll(%q)].find(e => e.textContent.trim() === %q); if (el) el.click(); return !!el; })()`, sel, text)
	p.poll("click "+sel+" "+strconv.Quote(text), js)
}

// fill sets an input's or select's value the way typing would, so React's
// change handlers see it.
func (p consolePage) fill(sel, value string) {
	p.t.Helper()
	p.wait(sel)
	js := fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
		Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, %q);
		el.dispatchEvent(new Event('input', { bubbles: true }));
		el.dispatchEvent(new Event('change', { bubbles: true }));
		return true;
	})()`, sel, value)
	p.poll("fill "+sel, js)
}

func (p consolePage) text(sel string) string {
	p.t.Helper()
	p.wait(sel)
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// number reads an element's text as a number ("150,000" → 150000).
func (p consolePage) number(sel string) int {
	p.t.Helper()
	n, _ := strconv.Atoi(strings.NewReplacer(",", "", "—", "0").Replace(p.text(sel)))
	return n
}

func (p consolePage) attrNumber(sel, attr string) int {
	p.t.Helper()
	p.poll(sel+" with "+attr, fmt.Sprintf(`document.querySelector(%q)?.getAttribute(%q) != null`, sel, attr))
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).getAttribute(%q)`, sel, attr)))
	if err != nil {
		p.t.Fatalf("read %s %s: %v", sel, attr, err)
	}
	n, _ := strconv.Atoi(v)
	return n
}

func (p consolePage) eval(js string) bool {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// poll waits until js is true.
func (p consolePage) poll(what, js string) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !p.eval(js) {
		if time.Now().After(deadline) {
			body := ""
			if ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second); true {
				body, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText.slice(0, 600)`))
				cancel()
			}
			p.t.Fatalf("waited 30s for %s; the page says: %s", what, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p consolePage) shot(name string) {
	p.t.Helper()
	screenshot(p.t, p.ctx, name+p.suffix)
}
