package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/service"
)

// pagedRun is a task run the pagination test created, with what it expects
// the API to show of it.
type pagedRun struct {
	id, app, env, status string
	started              time.Time
}

// pagedRunsBase is when the first run of the pagination test started.
var pagedRunsBase = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

// createPagedRuns records 25 runs of two apps in two envs, an hour apart,
// except runs 10, 11 and 12 which start at the same instant, so a page
// boundary falls between runs that only their ids order. Every fifth run
// fails, the one after it succeeds, the others keep running.
func createPagedRuns(t *testing.T, env *testenv.Env, team, token string) []pagedRun {
	t.Helper()
	ctx := context.Background()
	teamID, err := env.Service.EnsureTeam(ctx, team)
	if err != nil {
		t.Fatal(err)
	}
	runs := make([]pagedRun, 25)
	for i := range runs {
		r := pagedRun{id: fmt.Sprintf("page-run-%02d", i), app: "ingest", env: "prod", status: "running",
			started: pagedRunsBase.Add(time.Duration(i) * time.Hour)}
		if i%2 == 1 {
			r.app = "report"
		}
		if i%3 == 0 {
			r.env = "dev"
		}
		if i >= 10 && i <= 12 {
			r.started = pagedRunsBase.Add(10 * time.Hour)
		}
		if _, _, err := env.Service.StartTask(ctx, teamID, service.TaskStart{TaskID: r.id, AppName: r.app,
			TaskName: "load", TaskType: "python", Env: r.env, StartedAt: r.started}); err != nil {
			t.Fatalf("start %s: %v", r.id, err)
		}
		switch i % 5 {
		case 0:
			r.status = "failed"
			obsPost(t, env, token, "/log/task", map[string]any{"task_id": r.id, "status": "end", "result": "failed", "error": "boom"}, http.StatusAccepted)
		case 1:
			r.status = "success"
			obsPost(t, env, token, "/log/task", map[string]any{"task_id": r.id, "status": "end"}, http.StatusAccepted)
		}
		runs[i] = r
	}
	for _, r := range runs {
		if r.status != "running" {
			if got := waitForStatus(t, env, token, r.id)["status"]; got != r.status {
				t.Fatalf("%s ended as %v, want %s", r.id, got, r.status)
			}
		}
	}
	return runs
}

// pageAll follows next_cursor from the first page of /api/tasks?query and
// returns every task_id in the order served and the number of pages.
func pageAll(t *testing.T, env *testenv.Env, token, query string) ([]string, int) {
	t.Helper()
	var ids []string
	cursor, pages := "", 0
	for {
		path := "/api/tasks?" + query
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		page := obsGet(t, env, token, path)
		pages++
		for _, task := range obsList(page["tasks"]) {
			ids = append(ids, task.(map[string]any)["task_id"].(string))
		}
		cursor, _ = page["next_cursor"].(string)
		if cursor == "" {
			return ids, pages
		}
		if pages > 50 {
			t.Fatalf("%s: still paging after 50 pages: %v", query, ids)
		}
	}
}

// newestFirst returns the ids of the runs that keep holds, newest start
// first and, among runs that started together, the last created first.
func newestFirst(runs []pagedRun, keep func(pagedRun) bool) []string {
	var ids []string
	for i := len(runs) - 1; i >= 0; i-- {
		if keep(runs[i]) {
			ids = append(ids, runs[i].id)
		}
	}
	slices.SortStableFunc(ids, func(a, b string) int {
		return runs[indexOf(runs, b)].started.Compare(runs[indexOf(runs, a)].started)
	})
	return ids
}

func indexOf(runs []pagedRun, id string) int {
	return slices.IndexFunc(runs, func(r pagedRun) bool { return r.id == id })
}

// TestTaskRunsPagination pages through /api/tasks with the cursor, with and
// without filters, and checks every run comes exactly once, newest first,
// with next_cursor empty on the last page.
func TestTaskRunsPagination(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	runs := createPagedRuns(t, env, "acme", token)
	all := newestFirst(runs, func(pagedRun) bool { return true })
	if all[0] != "page-run-24" || strings.Join(all[12:15], ",") != "page-run-12,page-run-11,page-run-10" {
		t.Fatalf("the expected order is wrong: %v", all)
	}
	for _, tc := range []struct {
		query string
		pages int
	}{
		{"limit=7", 4}, // a page boundary between runs 11 and 10, which started together
		{"limit=2", 13},
		{"limit=5", 5}, // the last page is full: its next_cursor must still be empty
		{"limit=25", 1},
		{"", 1},
	} {
		got, pages := pageAll(t, env, token, tc.query)
		if strings.Join(got, ",") != strings.Join(all, ",") || pages != tc.pages {
			t.Errorf("%q: %d pages of\n  %v\nwant %d pages of\n  %v", tc.query, pages, got, tc.pages, all)
		}
	}

	since := pagedRunsBase.Add(10 * time.Hour).Format(time.RFC3339)
	until := pagedRunsBase.Add(20 * time.Hour).Format(time.RFC3339)
	filters := []struct {
		query string
		keep  func(pagedRun) bool
	}{
		{"app_name=report", func(r pagedRun) bool { return r.app == "report" }},
		{"status=failed", func(r pagedRun) bool { return r.status == "failed" }},
		{"status=running", func(r pagedRun) bool { return r.status == "running" }},
		{"env=dev", func(r pagedRun) bool { return r.env == "dev" }},
		{"since=" + since, func(r pagedRun) bool { return !r.started.Before(pagedRunsBase.Add(10 * time.Hour)) }},
		{"until=" + since, func(r pagedRun) bool { return r.started.Before(pagedRunsBase.Add(10 * time.Hour)) }},
		{"since=2025-03-01&until=2025-03-01T05:30:00Z", func(r pagedRun) bool { return r.started.Before(pagedRunsBase.Add(330 * time.Minute)) }},
		{"app_name=ingest&env=prod&status=running&since=" + since + "&until=" + until, func(r pagedRun) bool {
			return r.app == "ingest" && r.env == "prod" && r.status == "running" &&
				!r.started.Before(pagedRunsBase.Add(10*time.Hour)) && r.started.Before(pagedRunsBase.Add(20*time.Hour))
		}},
		{"app_name=nope", func(pagedRun) bool { return false }},
	}
	for _, f := range filters {
		want := newestFirst(runs, f.keep)
		got, _ := pageAll(t, env, token, f.query+"&limit=2")
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: got\n  %v\nwant\n  %v", f.query, got, want)
		}
		if len(want) == 0 && f.query != "app_name=nope" {
			t.Errorf("%s selects no run; the case tests nothing", f.query)
		}
	}

	other := env.Token(t, "other-team")
	if got, _ := pageAll(t, env, other, "limit=10"); len(got) != 0 {
		t.Errorf("another team sees %v", got)
	}
	first := obsGet(t, env, token, "/api/tasks?limit=3")
	cursor := first["next_cursor"].(string)
	if res := env.Do(t, http.MethodGet, "/api/tasks?limit=3&cursor="+url.QueryEscape(cursor), other, nil); res.Status != http.StatusOK || len(obsList(jsonObject(t, res.Body)["tasks"])) != 0 {
		t.Errorf("another team with this team's cursor: %d %s", res.Status, res.Body)
	}
	task := obsList(first["tasks"])[0].(map[string]any)
	if task["task_id"] != "page-run-24" || task["started_at"] != runs[24].started.Format(time.RFC3339) || task["env"] != "dev" || task["app_name"] != "ingest" {
		t.Errorf("newest run = %v", task)
	}
}
