package semantic_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/semantic"
)

// execNow anchors the relative ranges of the execution cases.
var execNow = time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)

// execCase is a cube query and the SQL a person would write for it by hand,
// per dialect ({s} is the fixture's schema; see handSQL for which one each
// engine runs). ordered says the query orders
// its rows, so they are compared in order.
type execCase struct {
	name    string
	query   string
	ordered bool
	byHand  map[connectors.Dialect]string
}

var execCases = []execCase{
	{
		name:  "seed win rate by month",
		query: `{"measures": ["hubspot_deals.win_rate"], "timeDimensions": [{"dimension": "hubspot_deals.close_date", "granularity": "month"}], "order": [], "limit": 2000}`,
		byHand: map[connectors.Dialect]string{
			connectors.DialectPostgres: `SELECT date_trunc('month', close_date AT TIME ZONE 'UTC'),
  1.0 * count(*) FILTER (WHERE is_won) / NULLIF(count(*) FILTER (WHERE is_closed), 0)
FROM {s}.hubspot_deals GROUP BY 1`,
			connectors.DialectMySQL: `SELECT DATE_FORMAT(close_date, '%Y-%m-01'), 1.0 * SUM(is_won) / NULLIF(SUM(is_closed), 0)
FROM {s}.hubspot_deals GROUP BY 1`,
		},
	},
	{
		name: "weeks of the last 30 days in New York",
		query: `{"measures": ["hubspot_deals.count", "hubspot_deals.amount"], "timezone": "America/New_York",
			"timeDimensions": [{"dimension": "hubspot_deals.close_date", "granularity": "week", "dateRange": "last 30 days"}]}`,
		ordered: true,
		byHand: map[connectors.Dialect]string{
			connectors.DialectPostgres: `SELECT date_trunc('week', close_date AT TIME ZONE 'America/New_York') AS w, count(*), sum(amount)
FROM {s}.hubspot_deals
WHERE close_date >= timestamptz '2023-12-16 00:00:00 America/New_York' AND close_date < timestamptz '2024-01-15 00:00:00 America/New_York'
GROUP BY 1 ORDER BY 1`,
			connectors.DialectMySQL: `SELECT DATE(CONVERT_TZ(close_date, '+00:00', '-05:00')) - INTERVAL WEEKDAY(CONVERT_TZ(close_date, '+00:00', '-05:00')) DAY AS w,
  COUNT(*), SUM(amount)
FROM {s}.hubspot_deals WHERE close_date >= '2023-12-16 05:00:00' AND close_date < '2024-01-15 05:00:00'
GROUP BY 1 ORDER BY 1`,
		},
	},
	{
		name: "filters, having, order, limit and offset",
		query: `{"measures": ["hubspot_deals.count", "hubspot_deals.amount"], "dimensions": ["hubspot_deals.owner"],
			"filters": [
				{"member": "hubspot_deals.owner", "operator": "notContains", "values": ["test"]},
				{"or": [{"member": "hubspot_deals.amount_value", "operator": "gte", "values": ["500"]},
				        {"member": "hubspot_deals.owner", "operator": "startsWith", "values": ["o'b"]}]},
				{"member": "hubspot_deals.close_date", "operator": "inDateRange", "values": ["2023-12-01", "2024-03-31"]},
				{"member": "hubspot_deals.count", "operator": "gte", "values": ["2"]}],
			"order": [["hubspot_deals.count", "desc"], ["hubspot_deals.owner", "asc"]], "limit": 3, "offset": 1}`,
		ordered: true,
		byHand: map[connectors.Dialect]string{
			connectors.DialectPostgres: `SELECT owner, count(*) AS n, sum(amount) FROM {s}.hubspot_deals
WHERE (owner NOT ILIKE '%test%' OR owner IS NULL) AND (amount >= 500 OR owner ILIKE 'o''b%')
  AND close_date >= '2023-12-01' AND close_date < '2024-04-01'
GROUP BY owner HAVING count(*) >= 2 ORDER BY n DESC, owner ASC LIMIT 3 OFFSET 1`,
			connectors.DialectMySQL: `SELECT owner, COUNT(*) AS n, SUM(amount) FROM {s}.hubspot_deals
WHERE (owner NOT LIKE '%test%' OR owner IS NULL) AND (amount >= 500 OR owner LIKE 'o''b%')
  AND close_date >= '2023-12-01' AND close_date < '2024-04-01'
GROUP BY owner HAVING COUNT(*) >= 2 ORDER BY n DESC, owner ASC LIMIT 3 OFFSET 1`,
		},
	},
	{
		name:  "segment, boolean, set and afterDate",
		query: `{"measures": ["hubspot_deals.owners", "hubspot_deals.avg_amount"], "dimensions": ["hubspot_deals.is_won"], "segments": ["hubspot_deals.won"], "filters": [{"member": "hubspot_deals.close_date", "operator": "set"}, {"member": "hubspot_deals.close_date", "operator": "afterDate", "values": ["2023-12-31"]}, {"member": "hubspot_deals.is_won", "operator": "equals", "values": ["true"]}]}`,
		byHand: map[connectors.Dialect]string{
			connectors.DialectPostgres: `SELECT is_won, count(DISTINCT owner), avg(amount) FROM {s}.hubspot_deals
WHERE is_won AND close_date IS NOT NULL AND close_date >= '2024-01-01' GROUP BY is_won`,
			connectors.DialectMySQL: `SELECT is_won, COUNT(DISTINCT owner), AVG(amount) FROM {s}.hubspot_deals
WHERE is_won AND close_date IS NOT NULL AND close_date >= '2024-01-01' GROUP BY is_won`,
		},
	},
	{
		name:  "sum across a many-to-one join",
		query: `{"measures": ["hubspot_deals.amount"], "dimensions": ["companies.industry"], "filters": [{"member": "companies.name", "operator": "notEquals", "values": ["Acme"]}]}`,
		byHand: map[connectors.Dialect]string{
			"": `SELECT c.industry, SUM(d.amount) FROM {s}.hubspot_deals d
LEFT JOIN (SELECT * FROM {s}.companies WHERE NOT deleted) c ON d.company_id = c.id
WHERE c.name <> 'Acme' OR c.name IS NULL GROUP BY c.industry`,
		},
	},
	{
		name:  "count across a fan-out counts each company once",
		query: `{"measures": ["companies.count"], "dimensions": ["hubspot_deals.stage"]}`,
		byHand: map[connectors.Dialect]string{
			"": `SELECT d.stage, COUNT(DISTINCT c.id) FROM (SELECT * FROM {s}.companies WHERE NOT deleted) c
LEFT JOIN {s}.hubspot_deals d ON c.id = d.company_id GROUP BY d.stage`,
		},
	},
}

// TestExecution runs every case's compiled SQL and hand-written SQL on the
// local Postgres, MariaDB and a DuckLake lake holding the same tables, and
// requires the same rows.
func TestExecution(t *testing.T) {
	runExecCases(t, execEngines(t), execCases)
}

// execEngines are the databases the execution tests run on: Postgres,
// MariaDB and the lake (a copy of the Postgres tables, read with DuckDB).
func execEngines(t *testing.T) []*engine {
	t.Helper()
	pg := postgresEngine(t)
	return []*engine{pg, mysqlEngine(t), lakeEngine(t, pg)}
}

// handSQL is a case's hand-written SQL for a dialect: its own, else (for
// DuckDB, whose SQL is Postgres-like) the Postgres one, else the generic one.
func (tc execCase) handSQL(d connectors.Dialect) string {
	if hand, ok := tc.byHand[d]; ok {
		return hand
	}
	if hand, ok := tc.byHand[connectors.DialectPostgres]; ok && d == connectors.DialectDuckDB {
		return hand
	}
	return tc.byHand[""]
}

// runExecCases compiles each case against testdata/model.yaml for each
// engine and compares the rows with those of the hand-written SQL.
func runExecCases(t *testing.T, engines []*engine, cases []execCase) {
	t.Helper()
	src, err := os.ReadFile("testdata/model.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range engines {
		model, err := semantic.ParseModel([]byte(strings.ReplaceAll(string(src), "crm.", e.schema+".")))
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range cases {
			t.Run(string(e.dialect)+"/"+tc.name, func(t *testing.T) {
				q, err := semantic.ParseQuery([]byte(tc.query))
				if err != nil {
					t.Fatal(err)
				}
				compiled, err := semantic.Compile(model, q, semantic.Options{Dialect: e.dialect, Now: execNow})
				if err != nil {
					t.Fatal(err)
				}
				hand := tc.handSQL(e.dialect)
				if hand == "" {
					t.Fatalf("the case has no hand-written SQL for %s", e.dialect)
				}
				got := e.run(t, compiled.SQL)
				want := e.run(t, strings.ReplaceAll(hand, "{s}", e.schema))
				if !tc.ordered {
					got, want = sorted(got), sorted(want)
				}
				if len(want) == 0 {
					t.Fatal("the hand-written SQL returns no rows; the case tests nothing")
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("compiled SQL:\n%s\ngot\n  %s\nwant\n  %s", compiled.SQL, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
				}
			})
		}
	}
}

// TestExecutionRows checks the data rows of the seed query: both keys of
// the grouped time dimension, Cube's local date-time form.
func TestExecutionRows(t *testing.T) {
	e := postgresEngine(t)
	src, _ := os.ReadFile("testdata/model.yaml")
	model, err := semantic.ParseModel([]byte(strings.ReplaceAll(string(src), "crm.", e.schema+".")))
	if err != nil {
		t.Fatal(err)
	}
	q, _ := semantic.ParseQuery([]byte(execCases[0].query))
	compiled, err := semantic.Compile(model, q, semantic.Options{Dialect: e.dialect})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := e.querier.Query(context.Background(), compiled.SQL, connectors.QueryOptions{MaxRows: 100})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := compiled.Rows(rs)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r["hubspot_deals.close_date.month"] == "2023-12-01T00:00:00.000" && r["hubspot_deals.close_date"] == "2023-12-01T00:00:00.000" {
			found = r["hubspot_deals.win_rate"] != nil
		}
	}
	if !found {
		t.Fatalf("no December 2023 row with a win rate in %v", rows)
	}
}
