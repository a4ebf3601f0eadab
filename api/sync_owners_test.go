package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// second adds another integration of the same source to the fixture's team
// (named "Production Database" too, as createPostgres names every one).
func (f syncFixture) second(t *testing.T) syncFixture {
	t.Helper()
	g := f
	g.id = createPostgres(t, f.env, f.token, "pw")
	return g
}

// tableOf finds a run's table by source name.
func tableOf(t *testing.T, run map[string]any, name string) map[string]any {
	t.Helper()
	for _, tb := range run["tables"].([]any) {
		if m := tb.(map[string]any); m["name"] == name {
			return m
		}
	}
	t.Fatalf("run has no table %s: %v", name, run["tables"])
	return nil
}

// TestSyncRefusesATableAnotherSyncOwns saves one sync writing
// POSTGRES_DATA.users, then another integration's: naming users is a 409
// that names the owner and the table; a glob selecting it fails that table
// in the run without writing it while the other tables copy; taking users
// out of the first sync releases it.
func TestSyncRefusesATableAnotherSyncOwns(t *testing.T) {
	f := newSyncFixture(t)
	g := f.second(t)
	if res := f.configure(t, map[string]any{"dest_schema": "POSTGRES_DATA", "schedule": "daily", "tables": []any{f.schema + ".users"}}); res.Status != http.StatusOK {
		t.Fatalf("first sync: %d %s", res.Status, res.Body)
	}
	if run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil); run["status"] != "succeeded" {
		t.Fatalf("first run: %v", run)
	}

	res := g.configure(t, map[string]any{"dest_schema": "postgres_data", "schedule": "daily", "tables": []any{f.schema + ".orders", f.schema + ".users"}})
	if res.Status != http.StatusConflict || !strings.Contains(string(res.Body), "POSTGRES_DATA.users") || !strings.Contains(string(res.Body), f.id) ||
		!strings.Contains(string(res.Body), "Production Database") {
		t.Fatalf("second sync of the same table: %d %s", res.Status, res.Body)
	}
	assertErrorCode(t, res.Body, "conflict")
	if res := f.env.Do(t, http.MethodGet, "/v1/api/integrations/"+g.id+"/sync", f.token, nil); res.Status != http.StatusNotFound {
		t.Fatalf("the refused sync was saved: %d %s", res.Status, res.Body)
	}

	// A glob is checked when the run plans it: users fails, the rest copies.
	if res := g.configure(t, map[string]any{"dest_schema": "POSTGRES_DATA", "schedule": "daily", "load_method": "append", "tables": []any{f.schema + ".*"}}); res.Status != http.StatusOK {
		t.Fatalf("glob sync: %d %s", res.Status, res.Body)
	}
	run := g.runAndWait(t, "/v1/api/integrations/"+g.id+"/sync/run", nil)
	users := tableOf(t, run, f.schema+".users")
	if run["status"] != "partially_succeeded" || users["status"] != "failed" || !strings.Contains(users["error"].(string), "POSTGRES_DATA.users is written by the sync of integration") {
		t.Fatalf("glob run: %v", run)
	}
	if tableOf(t, run, f.schema+".orders")["status"] != "succeeded" || tableOf(t, run, f.schema+".events")["status"] != "succeeded" {
		t.Fatalf("the other tables of the glob run: %v", run["tables"])
	}
	assertSameRow(t, f.sourceRow(t, "SELECT count(*) AS n FROM "+f.schema+".users"), f.lakeRow(t, "SELECT count(*) AS n FROM POSTGRES_DATA.users"))

	// The first sync lets go of users; the second may name it now.
	if res := f.configure(t, map[string]any{"dest_schema": "OTHER", "schedule": "daily", "tables": []any{f.schema + ".users"}}); res.Status != http.StatusOK {
		t.Fatalf("first sync moved: %d %s", res.Status, res.Body)
	}
	if res := g.configure(t, map[string]any{"dest_schema": "POSTGRES_DATA", "schedule": "daily", "tables": []any{f.schema + ".users"}}); res.Status != http.StatusOK {
		t.Fatalf("users after the first sync let go of it: %d %s", res.Status, res.Body)
	}
}

// TestConcurrentSyncsClaimATableOnce saves four syncs of the same two
// tables at once, named in either order: exactly one owns them, the others
// are 409 (never a deadlock's error).
func TestConcurrentSyncsClaimATableOnce(t *testing.T) {
	f := newSyncFixture(t)
	syncs := []syncFixture{f, f.second(t), f.second(t), f.second(t)}
	statuses := make([]int, len(syncs))
	var wg sync.WaitGroup
	for i, s := range syncs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tables := []any{f.schema + ".users", f.schema + ".orders"}
			if i%2 == 1 { // the other order too: claims must not deadlock
				tables[0], tables[1] = tables[1], tables[0]
			}
			statuses[i] = s.configure(t, map[string]any{"dest_schema": "RACE", "schedule": "daily", "tables": tables}).Status
		}()
	}
	wg.Wait()
	ok, conflict := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusConflict:
			conflict++
		}
	}
	if ok != 1 || conflict != len(syncs)-1 {
		t.Fatalf("statuses of concurrent syncs of one table: %v", statuses)
	}
	var owners int
	if err := f.env.Pool.QueryRow(context.Background(), `SELECT count(DISTINCT config_id) FROM lake_table_owners WHERE dest_schema = 'RACE'`).Scan(&owners); err != nil || owners != 1 {
		t.Fatalf("owners of RACE's tables: %d (%v)", owners, err)
	}
}

// TestDeleteSyncDropsTablesOnlyWhenAsked deletes a sync without
// drop_tables (its table stays and another sync may take it), then with
// drop_tables=true (the table is gone from the lake's current snapshot).
func TestDeleteSyncDropsTablesOnlyWhenAsked(t *testing.T) {
	f := newSyncFixture(t)
	g := f.second(t)
	body := map[string]any{"dest_schema": "POSTGRES_DATA", "schedule": "daily", "tables": []any{f.schema + ".users"}}
	if res := f.configure(t, body); res.Status != http.StatusOK {
		t.Fatalf("configure: %d %s", res.Status, res.Body)
	}
	if run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil); run["status"] != "succeeded" {
		t.Fatalf("run: %v", run)
	}
	path := "/v1/api/integrations/" + f.id + "/sync"
	if res := f.env.Do(t, http.MethodDelete, path+"?drop_tables=maybe", f.token, nil); res.Status != http.StatusBadRequest {
		t.Fatalf("drop_tables=maybe: %d %s", res.Status, res.Body)
	}
	if res := f.env.Do(t, http.MethodDelete, path, f.token, nil); res.Status != http.StatusOK {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	assertSameRow(t, f.sourceRow(t, "SELECT count(*) AS n FROM "+f.schema+".users"), f.lakeRow(t, "SELECT count(*) AS n FROM POSTGRES_DATA.users"))

	if res := g.configure(t, body); res.Status != http.StatusOK {
		t.Fatalf("another sync takes the released table: %d %s", res.Status, res.Body)
	}
	gpath := "/v1/api/integrations/" + g.id + "/sync"
	res := f.env.Do(t, http.MethodDelete, gpath+"?drop_tables=true", f.token, nil)
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"dropped_tables":["POSTGRES_DATA.users"]`) {
		t.Fatalf("delete with drop_tables: %d %s", res.Status, res.Body)
	}
	if res := f.env.Do(t, http.MethodPost, "/v1/query", f.token, map[string]any{"sql": "SELECT count(*) AS n FROM POSTGRES_DATA.users"}); res.Status == http.StatusOK {
		t.Fatalf("the dropped table still answers: %s", res.Body)
	}
	if res := f.env.Do(t, http.MethodDelete, gpath+"?drop_tables=true", f.token, nil); res.Status != http.StatusNotFound {
		t.Fatalf("deleting the deleted sync again: %d %s", res.Status, res.Body)
	}
}

// TestOverlappingStoredSyncsKeepTheFirstOwner stores two syncs that write
// the same table, as sluice allowed before owners were recorded, and runs
// migration 0006's backfill: the older keeps the table, the later one's run
// fails it with the same message and the others' tables go on.
func TestOverlappingStoredSyncsKeepTheFirstOwner(t *testing.T) {
	f := newSyncFixture(t)
	g := f.second(t)
	if res := f.configure(t, map[string]any{"dest_schema": "POSTGRES_DATA", "schedule": "daily", "tables": []any{f.schema + ".users"}}); res.Status != http.StatusOK {
		t.Fatalf("first: %d %s", res.Status, res.Body)
	}
	if res := g.configure(t, map[string]any{"dest_schema": "LATER", "schedule": "daily", "tables": []any{f.schema + ".users", f.schema + ".orders"}}); res.Status != http.StatusOK {
		t.Fatalf("second: %d %s", res.Status, res.Body)
	}
	migration, err := os.ReadFile("../db/migrations/0006_lake_table_owners.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	backfill := string(migration)[strings.Index(string(migration), "WITH named"):]
	ctx := context.Background()
	if _, err := f.env.Pool.Exec(ctx, `UPDATE sync_configs SET dest_schema = 'POSTGRES_DATA' WHERE dest_schema = 'LATER'; DELETE FROM lake_table_owners;`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.env.Pool.Exec(ctx, backfill); err != nil {
		t.Fatalf("backfill: %v", err)
	}
	run := g.runAndWait(t, "/v1/api/integrations/"+g.id+"/sync/run", nil)
	users := tableOf(t, run, f.schema+".users")
	if run["status"] != "partially_succeeded" || !strings.Contains(users["error"].(string), f.id) || tableOf(t, run, f.schema+".orders")["status"] != "succeeded" {
		t.Fatalf("the later sync's run: %v", run)
	}
	if run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil); run["status"] != "succeeded" {
		t.Fatalf("the first owner's run: %v", run)
	}
}

// TestSyncLineageKeepsSameNamedIntegrationsApart syncs the same source
// table through two integrations both named "Production Database": each
// lake table's upstream is its own integration's table, not a shared node.
func TestSyncLineageKeepsSameNamedIntegrationsApart(t *testing.T) {
	f := newSyncFixture(t)
	g := f.second(t)
	for _, s := range []struct {
		fx     syncFixture
		schema string
	}{{f, "FIRST"}, {g, "SECOND"}} {
		if res := s.fx.configure(t, map[string]any{"dest_schema": s.schema, "schedule": "daily", "tables": []any{f.schema + ".users"}}); res.Status != http.StatusOK {
			t.Fatalf("configure %s: %d %s", s.schema, res.Status, res.Body)
		}
		if run := s.fx.runAndWait(t, "/v1/api/integrations/"+s.fx.id+"/sync/run", nil); run["status"] != "succeeded" {
			t.Fatalf("run %s: %v", s.schema, run)
		}
	}
	lineage := func(dataset, direction string) string {
		return string(f.env.Do(t, http.MethodGet, "/api/lineage?dataset="+dataset+"&direction="+direction+"&depth=3", f.token, nil).Body)
	}
	// The reports follow the runs: wait until both lake tables have theirs.
	for _, w := range []struct{ lake, id string }{{"lake.FIRST.users", f.id}, {"lake.SECOND.users", g.id}} {
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(lineage(w.lake, "upstream"), w.id+"."+f.schema+".users") {
			if time.Now().After(deadline) {
				t.Fatalf("upstream of %s: %s", w.lake, lineage(w.lake, "upstream"))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	down := lineage(f.id+"."+f.schema+".users", "downstream")
	if !strings.Contains(down, "lake.FIRST.users") || strings.Contains(down, "lake.SECOND.users") {
		t.Fatalf("downstream of the first integration's users: %s", down)
	}
	if up := lineage("lake.SECOND.users", "upstream"); strings.Contains(up, f.id) {
		t.Fatalf("upstream of lake.SECOND.users reaches the first integration: %s", up)
	}
}

// TestConcurrentGlobRunsWriteATableOnce runs two syncs whose globs select
// the same tables at the same moment, appending: each table is claimed by
// one run and copied once, the other run fails it with the owner message.
func TestConcurrentGlobRunsWriteATableOnce(t *testing.T) {
	f := newSyncFixture(t)
	g := f.second(t)
	runIDs := make([]string, 2)
	for _, s := range []syncFixture{f, g} {
		body := map[string]any{"dest_schema": "GLOBS", "schedule": "daily", "load_method": "append", "tables": []any{f.schema + ".*"}}
		if res := s.configure(t, body); res.Status != http.StatusOK {
			t.Fatalf("configure: %d %s", res.Status, res.Body)
		}
	}
	var wg sync.WaitGroup
	for i, s := range []syncFixture{f, g} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := s.env.Do(t, http.MethodPost, "/v1/api/integrations/"+s.id+"/sync/run", s.token, nil)
			if res.Status == http.StatusAccepted {
				runIDs[i] = res.JSON(t)["data"].(map[string]any)["id"].(string)
			}
		}()
	}
	wg.Wait()
	copies := map[string]int{}
	for _, id := range runIDs {
		if id == "" {
			t.Fatal("a run did not start")
		}
		run := f.waitRun(t, id, func(run map[string]any) bool {
			return run["status"] != "queued" && run["status"] != "running"
		})
		for _, tb := range run["tables"].([]any) {
			m := tb.(map[string]any)
			switch {
			case m["status"] == "succeeded":
				copies[m["name"].(string)]++
			case !strings.Contains(fmt.Sprint(m["error"]), "is written by the sync of integration"):
				t.Fatalf("table %v failed otherwise: %v", m["name"], m["error"])
			}
		}
	}
	for _, name := range []string{"users", "orders", "events"} {
		if copies[f.schema+"."+name] != 1 {
			t.Fatalf("copies per table: %v", copies)
		}
	}
	assertSameRow(t, f.sourceRow(t, "SELECT count(*) AS n FROM "+f.schema+".orders"), f.lakeRow(t, "SELECT count(*) AS n FROM GLOBS.orders"))
}
