package semantic_test

import (
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// operatorCases cover the operators and the measure type the cases of
// exec_test.go leave out. The hand-written SQL says each condition another
// way (LOWER … LIKE for the case-insensitive matches, explicit bounds for
// the date operators), and the fixture has rows on the bounds: deal 24
// closes at 2023-12-19 00:00, deal 47 at 2024-02-03 17:00, deal 48 at
// 2024-02-05 00:00 and deal 72 at 2024-03-24 00:00 (UTC); deal 10's amount
// is 370.50, and deal 91 is the last deal with an amount below it (367.50).
var operatorCases = []execCase{
	{
		name: "notStartsWith and notEndsWith ignore case and keep NULL",
		query: `{"measures": ["hubspot_deals.count"], "dimensions": ["hubspot_deals.owner", "hubspot_deals.stage"],
			"filters": [{"member": "hubspot_deals.owner", "operator": "notStartsWith", "values": ["AL", "o'"]},
			            {"member": "hubspot_deals.stage", "operator": "notEndsWith", "values": ["ST"]}]}`,
		byHand: map[connectors.Dialect]string{
			"": `SELECT owner, stage, COUNT(*) FROM {s}.hubspot_deals
WHERE (owner IS NULL OR (LOWER(owner) NOT LIKE 'al%' AND LOWER(owner) NOT LIKE 'o''%'))
  AND (stage IS NULL OR LOWER(stage) NOT LIKE '%st')
GROUP BY owner, stage`,
		},
	},
	{
		name: "a null among the values of notEndsWith drops NULL",
		query: `{"measures": ["hubspot_deals.count"], "dimensions": ["hubspot_deals.owner"],
			"filters": [{"member": "hubspot_deals.owner", "operator": "notEndsWith", "values": ["N", null]}]}`,
		byHand: map[connectors.Dialect]string{
			"": `SELECT owner, COUNT(*) FROM {s}.hubspot_deals
WHERE owner IS NOT NULL AND LOWER(owner) NOT LIKE '%n' GROUP BY owner`,
		},
	},
	{
		name: "lt and lte on dimensions and on measures",
		query: `{"measures": ["hubspot_deals.count", "hubspot_deals.amount"], "dimensions": ["hubspot_deals.stage"],
			"filters": [{"member": "hubspot_deals.amount_value", "operator": "lt", "values": ["370.5"]},
			            {"member": "hubspot_deals.id", "operator": "lte", "values": ["91"]},
			            {"member": "hubspot_deals.count", "operator": "lte", "values": ["9"]},
			            {"member": "hubspot_deals.amount", "operator": "lt", "values": ["1700"]}]}`,
		byHand: map[connectors.Dialect]string{
			"": `SELECT stage, COUNT(*), SUM(amount) FROM {s}.hubspot_deals
WHERE NOT (amount >= 370.5) AND NOT (id > 91)
GROUP BY stage HAVING NOT (COUNT(*) > 9) AND NOT (SUM(amount) >= 1700)`,
		},
	},
	{
		name: "notSet, alone and in an or",
		query: `{"measures": ["hubspot_deals.count", "hubspot_deals.avg_amount"], "dimensions": ["hubspot_deals.stage"],
			"filters": [{"or": [{"member": "hubspot_deals.close_date", "operator": "notSet"},
			                    {"member": "hubspot_deals.owner", "operator": "notSet"}]}]}`,
		byHand: map[connectors.Dialect]string{
			"": `SELECT stage, COUNT(*), AVG(amount) FROM {s}.hubspot_deals
WHERE close_date IS NULL OR owner IS NULL GROUP BY stage`,
		},
	},
	{
		name: "count_distinct_approx by month",
		query: `{"measures": ["hubspot_deals.approx_owners", "hubspot_deals.count"],
			"timeDimensions": [{"dimension": "hubspot_deals.close_date", "granularity": "month"}]}`,
		byHand: map[connectors.Dialect]string{
			connectors.DialectPostgres: `SELECT date_trunc('month', close_date AT TIME ZONE 'UTC'), count(DISTINCT owner), count(*)
FROM {s}.hubspot_deals GROUP BY 1`,
			connectors.DialectMySQL: `SELECT DATE_FORMAT(close_date, '%Y-%m-01'), COUNT(DISTINCT owner), COUNT(*)
FROM {s}.hubspot_deals GROUP BY 1`,
		},
	},
	{
		name: "notInDateRange keeps NULL out and pads the end to the end of the day",
		query: `{"measures": ["hubspot_deals.count"], "dimensions": ["hubspot_deals.stage"],
			"filters": [{"member": "hubspot_deals.close_date", "operator": "notInDateRange", "values": ["2023-12-19", "2024-02-03"]}]}`,
		byHand: map[connectors.Dialect]string{
			"": `SELECT stage, COUNT(*) FROM {s}.hubspot_deals
WHERE close_date < '2023-12-19' OR close_date >= '2024-02-04' GROUP BY stage`,
		},
	},
	{
		name: "afterOrOnDate includes its bound, beforeDate excludes its own",
		query: `{"measures": ["hubspot_deals.count"], "dimensions": ["hubspot_deals.stage"],
			"filters": [{"member": "hubspot_deals.close_date", "operator": "afterOrOnDate", "values": ["2024-02-05"]},
			            {"member": "hubspot_deals.close_date", "operator": "beforeDate", "values": ["2024-03-24"]}]}`,
		byHand: map[connectors.Dialect]string{
			"": `SELECT stage, COUNT(*) FROM {s}.hubspot_deals
WHERE close_date >= '2024-02-05' AND close_date < '2024-03-24' GROUP BY stage`,
		},
	},
	{
		name: "afterOrOnDate is a local date in the query's time zone",
		query: `{"measures": ["hubspot_deals.count"], "dimensions": ["hubspot_deals.stage"], "timezone": "America/New_York",
			"filters": [{"member": "hubspot_deals.close_date", "operator": "afterOrOnDate", "values": ["2024-02-05"]},
			            {"member": "hubspot_deals.close_date", "operator": "beforeDate", "values": ["2024-03-24"]}]}`,
		byHand: map[connectors.Dialect]string{
			"": `SELECT stage, COUNT(*) FROM {s}.hubspot_deals
WHERE close_date >= '2024-02-05 05:00:00' AND close_date < '2024-03-24 04:00:00' GROUP BY stage`,
		},
	},
}

// TestExecutionOperators runs operatorCases on Postgres, MariaDB and the
// lake, comparing with the hand-written SQL as TestExecution does.
func TestExecutionOperators(t *testing.T) {
	runExecCases(t, execEngines(t), operatorCases)
}
