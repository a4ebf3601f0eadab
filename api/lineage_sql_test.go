package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv"
)

const seedQuery = "CREATE TABLE shared_db.table_b AS SELECT id, name, upper(event_type) as event_type_upper FROM shared_db.table_a"

// reportSQL starts taskID in app and reports one transformation with SQL.
func reportSQL(t *testing.T, env *testenv.Env, token, app, taskID, sql string, inputs map[string]any, output string) {
	t.Helper()
	startTask(t, env, token, taskID, app, "job")
	obsPost(t, env, token, "/log/tf", map[string]any{"task_id": taskID, "tf_id": 1, "query_str": sql,
		"input_datasets": inputs, "output": map[string]any{"name": output}}, http.StatusCreated)
}

// columnEdgesOf lists an answer's column edges as "in.col -> out.col kind source".
func columnEdgesOf(graph map[string]any) []string {
	var edges []string
	for _, e := range obsList(graph["column_edges"]) {
		m := e.(map[string]any)
		edges = append(edges, m["input_dataset"].(string)+"."+m["input_column"].(string)+" -> "+
			m["output_dataset"].(string)+"."+m["output_column"].(string)+" "+m["kind"].(string)+" "+m["source"].(string))
	}
	slices.Sort(edges)
	return edges
}

// sqlLineageOf returns the sql_lineage of a task run's first transformation.
func sqlLineageOf(t *testing.T, env *testenv.Env, token, taskID string) map[string]any {
	t.Helper()
	task := obsGet(t, env, token, taskPath(taskID))["task"].(map[string]any)
	tfs := obsList(task["transformations"])
	if len(tfs) == 0 {
		t.Fatalf("task %s has no transformations", taskID)
	}
	got, _ := tfs[0].(map[string]any)["sql_lineage"].(map[string]any)
	return got
}

// TestLineageFromSQLSeedExample is the acceptance case: the seed's
// query_str yields table_b.event_type_upper ← table_a.event_type
// (transformation) through /api/lineage, and impact analysis finds it in one call.
func TestLineageFromSQLSeedExample(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	reportSQL(t, env, token, "definity", "seed-1", seedQuery,
		map[string]any{"shared_db.table_a": map[string]any{"columns": []string{"id", "name", "event_type"}}}, "shared_db.table_b")
	// Another app builds on table_b: lineage crosses apps at the column level.
	reportSQL(t, env, token, "marts", "mart-1",
		"INSERT INTO mart.event_counts (kind, n) SELECT event_type_upper, count(*) FROM shared_db.table_b GROUP BY event_type_upper",
		map[string]any{"shared_db.table_b": nil}, "mart.event_counts")

	up := obsGet(t, env, token, "/api/lineage?"+url.Values{"dataset": {"shared_db.table_b"}, "direction": {"upstream"},
		"level": {"column"}}.Encode())
	want := []string{
		"shared_db.table_a.event_type -> shared_db.table_b.event_type_upper transformation both",
		"shared_db.table_a.id -> shared_db.table_b.id identity both",
		"shared_db.table_a.name -> shared_db.table_b.name identity both",
	}
	if got := columnEdgesOf(up); !slices.Equal(got, want) {
		t.Errorf("column edges upstream of table_b:\n got %q\nwant %q", got, want)
	}

	impact := obsGet(t, env, token, "/api/lineage?"+url.Values{"column": {"shared_db.table_a.event_type"},
		"direction": {"downstream"}, "depth": {"5"}}.Encode())
	var reached []string
	for _, c := range obsList(impact["columns"]) {
		m := c.(map[string]any)
		reached = append(reached, m["dataset"].(string)+"."+m["column"].(string))
	}
	slices.Sort(reached)
	// n counts rows grouped by event_type_upper: an indirect dependency of
	// every column of mart.event_counts (*).
	wantReached := []string{"mart.event_counts.*", "mart.event_counts.kind", "shared_db.table_b.event_type_upper"}
	if !slices.Equal(reached, wantReached) {
		t.Errorf("columns depending on table_a.event_type = %q, want %q", reached, wantReached)
	}
	kinds := columnEdgesOf(impact)
	for _, want := range []string{
		"shared_db.table_a.event_type -> shared_db.table_b.event_type_upper transformation both",
		"shared_db.table_b.event_type_upper -> mart.event_counts.kind identity sql",
		"shared_db.table_b.event_type_upper -> mart.event_counts. indirect sql",
	} {
		if !slices.Contains(kinds, want) {
			t.Errorf("impact edges lack %q: %q", want, kinds)
		}
	}
	if info := sqlLineageOf(t, env, token, "seed-1"); info["status"] != "parsed" || info["conflicts"] != nil {
		t.Errorf("sql_lineage of the seed = %v", info)
	}
}

// TestLineageFromSQLDerivedInputsAndConflicts: a table the SQL reads but the
// report did not list becomes an input marked sql; a listed input the SQL
// does not read is kept and shown as a conflict; * expands over a schema
// reported with /log/dataset.
func TestLineageFromSQLDerivedInputsAndConflicts(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	startTask(t, env, token, "schema-1", "ingest", "load")
	obsPost(t, env, token, "/log/dataset", map[string]any{"task_id": "schema-1", "ds_name": "raw.customers", "metadata": []any{
		map[string]any{"info_type": "schema_field", "info_value": "id-INTEGER", "info_num": 0},
		map[string]any{"info_type": "schema_field", "info_value": "country-STRING", "info_num": 1},
	}}, http.StatusCreated)
	reportSQL(t, env, token, "stage", "stage-1",
		"CREATE TABLE staged.orders AS SELECT o.amount, c.* FROM raw.orders o JOIN raw.customers c ON c.id = o.customer_id",
		map[string]any{"raw.orders": map[string]any{"columns": []string{"amount", "discount"}}, "raw.legacy": nil}, "staged.orders")

	info := sqlLineageOf(t, env, token, "stage-1")
	if got := obsList(info["derived_inputs"]); len(got) != 1 || got[0] != "raw.customers" {
		t.Errorf("derived_inputs = %v", info["derived_inputs"])
	}
	conflicts := obsList(info["conflicts"])
	for _, want := range []string{"input raw.legacy is listed but the SQL does not read it",
		"column raw.orders.discount is listed but the SQL does not read it"} {
		if !slices.Contains(conflicts, any(want)) {
			t.Errorf("conflicts lack %q: %v", want, conflicts)
		}
	}
	up := obsGet(t, env, token, "/api/lineage?dataset=staged.orders&direction=upstream&level=column")
	if names := datasetNames(up); !names["raw.customers"] || !names["raw.legacy"] || !names["raw.orders"] {
		t.Errorf("upstream datasets of staged.orders = %v", names)
	}
	edges := columnEdgesOf(up)
	for _, want := range []string{
		"raw.customers.country -> staged.orders.country identity sql",
		"raw.customers.id -> staged.orders. indirect sql", // the join column decides every row
		"raw.orders.amount -> staged.orders.amount identity both",
		"raw.orders.discount -> staged.orders.  reported", // the report's claim, kept
	} {
		if !slices.Contains(edges, want) {
			t.Errorf("column edges lack %q: %q", want, edges)
		}
	}
}

// TestLineageFromSQLThatDoesNotParse keeps the report and records why.
func TestLineageFromSQLThatDoesNotParse(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	reportSQL(t, env, token, "exotic", "exotic-1", "CREATE TABLE x AS SELECT TRANSFORM(a) USING 'cat' FROM y",
		map[string]any{"y": map[string]any{"columns": []string{"a"}}}, "x")
	info := sqlLineageOf(t, env, token, "exotic-1")
	if info["status"] != "failed" || info["error"] == "" || info["error"] == nil {
		t.Errorf("sql_lineage of unparsable SQL = %v", info)
	}
	up := obsGet(t, env, token, "/api/lineage?dataset=x&direction=upstream&level=column")
	if got := columnEdgesOf(up); !slices.Equal(got, []string{"y.a -> x.  reported"}) {
		t.Errorf("column edges = %q, want the reported one only", got)
	}
	res := env.Do(t, http.MethodGet, "/api/lineage?dataset=x&level=columns", token, nil)
	if res.Status != http.StatusBadRequest {
		t.Errorf("level=columns answered %d, want 400", res.Status)
	}
}

// TestLineageFromMySQLDialect reads a MySQL statement named by sql_dialect.
func TestLineageFromMySQLDialect(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	startTask(t, env, token, "my-1", "shop", "job")
	obsPost(t, env, token, "/log/tf", map[string]any{"task_id": "my-1", "tf_id": 1, "sql_dialect": "mysql",
		"query_str": "INSERT INTO `mart`.`emails` (id, email) SELECT id, lower(email) FROM `shop`.`users` ON DUPLICATE KEY UPDATE email = VALUES(email)",
		"output":    map[string]any{"name": "mart.emails"}}, http.StatusCreated)
	up := obsGet(t, env, token, "/api/lineage?dataset=mart.emails&direction=upstream&level=column")
	want := []string{"shop.users.email -> mart.emails.email transformation sql", "shop.users.id -> mart.emails.id identity sql"}
	if got := columnEdgesOf(up); !slices.Equal(got, want) {
		t.Errorf("column edges = %q, want %q", got, want)
	}
	if info := sqlLineageOf(t, env, token, "my-1"); info["status"] != "parsed" || info["dialect"] != "mysql" {
		t.Errorf("sql_lineage = %v", info)
	}
}

// TestLineageFromOpenLineageSQLFacet reads the sql facet of an OpenLineage
// event (with its dialect), and the column level as of a time before it
// holds nothing.
func TestLineageFromOpenLineageSQLFacet(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	dataset := func(name string) map[string]any { return map[string]any{"namespace": "warehouse", "name": name} }
	obsPost(t, env, token, "/api/v1/lineage", map[string]any{
		"eventType": "COMPLETE", "eventTime": "2025-09-01T10:00:00Z",
		"run": map[string]any{"runId": "0191a8c2-fe01-7439-87e6-56a1a1b4029f"},
		"job": map[string]any{"namespace": "spark", "name": "daily", "facets": map[string]any{
			"sql": map[string]any{"query": "INSERT INTO mart.daily SELECT date(ts) AS day, sum(amount) AS total FROM raw.sales GROUP BY date(ts)",
				"dialect": "mysql", "_producer": "https://example.com/test",
				"_schemaURL": "https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json#/$defs/SQLJobFacet"}}},
		"inputs":   []any{dataset("raw.sales")},
		"outputs":  []any{dataset("mart.daily")},
		"producer": "https://example.com/test", "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
	}, http.StatusCreated)
	up := obsGet(t, env, token, "/api/lineage?dataset=mart.daily&direction=upstream&level=column")
	want := []string{"raw.sales.amount -> mart.daily.total aggregation sql", "raw.sales.ts -> mart.daily. indirect sql",
		"raw.sales.ts -> mart.daily.day transformation sql"}
	if got := columnEdgesOf(up); !slices.Equal(got, want) {
		t.Errorf("column edges = %q, want %q", got, want)
	}
	before := obsGet(t, env, token, "/api/lineage?dataset=mart.daily&direction=upstream&level=column&at=2025-08-31")
	if got := columnEdgesOf(before); len(got) != 0 {
		t.Errorf("column edges as of the day before = %q", got)
	}
}
