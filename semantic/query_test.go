package semantic

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// TestQueryErrors checks that every refusal is a *QueryError that names the
// field and the member or operator at fault.
func TestQueryErrors(t *testing.T) {
	m := loadTestModel(t)
	cases := []struct {
		name, query, field, want string
	}{
		{"unknown member", `{"measures": ["hubspot_deals.nope"]}`, "measures[0]", "cube hubspot_deals has no member nope"},
		{"unknown cube", `{"measures": ["deals.count"]}`, "measures[0]", "there is no cube deals"},
		{"measure as dimension", `{"dimensions": ["hubspot_deals.count"]}`, "dimensions[0]", "hubspot_deals.count is a measure, not a dimension"},
		{"dimension as measure", `{"measures": ["hubspot_deals.stage"]}`, "measures[0]", "hubspot_deals.stage is a dimension, not a measure"},
		{"not a time dimension", `{"measures": ["hubspot_deals.count"], "timeDimensions": [{"dimension": "hubspot_deals.stage", "granularity": "day"}]}`,
			"timeDimensions[0].dimension", "hubspot_deals.stage is not a time dimension"},
		{"bad granularity", `{"measures": ["hubspot_deals.count"], "timeDimensions": [{"dimension": "hubspot_deals.close_date", "granularity": "fortnight"}]}`,
			"timeDimensions[0].granularity", `unknown granularity "fortnight"`},
		{"operator does not fit", `{"measures": ["hubspot_deals.count"], "filters": [{"member": "hubspot_deals.amount_value", "operator": "contains", "values": ["1"]}]}`,
			"filters[0].operator", "operator contains does not apply to hubspot_deals.amount_value, a number dimension"},
		{"operator on measure", `{"measures": ["hubspot_deals.count"], "filters": [{"member": "hubspot_deals.count", "operator": "inDateRange", "values": ["2024-01-01"]}]}`,
			"filters[0].operator", "operator inDateRange does not apply to measure hubspot_deals.count"},
		{"unknown operator", `{"measures": ["hubspot_deals.count"], "filters": [{"member": "hubspot_deals.stage", "operator": "like", "values": ["x"]}]}`,
			"filters[0].operator", `unknown operator "like"`},
		{"not a number", `{"measures": ["hubspot_deals.count"], "filters": [{"member": "hubspot_deals.amount_value", "operator": "gt", "values": ["lots"]}]}`,
			"filters[0].values", `"lots" is not a number`},
		{"too many values", `{"measures": ["hubspot_deals.count"], "filters": [{"member": "hubspot_deals.amount_value", "operator": "gt", "values": ["1", "2"]}]}`,
			"filters[0].values", "operator gt takes at most 1"},
		{"no values", `{"measures": ["hubspot_deals.count"], "filters": [{"member": "hubspot_deals.stage", "operator": "equals", "values": []}]}`,
			"filters[0].values", "operator equals needs at least 1"},
		{"mixed logic", `{"measures": ["hubspot_deals.count"], "filters": [{"or": [{"member": "hubspot_deals.count", "operator": "gt", "values": ["1"]}, {"member": "hubspot_deals.stage", "operator": "set"}]}]}`,
			"filters[0]", "cannot mix filters on measures with filters on dimensions"},
		{"bad date", `{"measures": ["hubspot_deals.count"], "filters": [{"member": "hubspot_deals.close_date", "operator": "beforeDate", "values": ["tuesday"]}]}`,
			"filters[0].values", `"tuesday" is not a date`},
		{"bad relative range", `{"measures": ["hubspot_deals.count"], "timeDimensions": [{"dimension": "hubspot_deals.close_date", "dateRange": "since the dawn of time"}]}`,
			"timeDimensions[0].dateRange", "is not a date range sluice understands"},
		{"range ends before start", `{"measures": ["hubspot_deals.count"], "timeDimensions": [{"dimension": "hubspot_deals.close_date", "dateRange": ["2024-02-01", "2024-01-01"]}]}`,
			"timeDimensions[0].dateRange", "before it starts"},
		{"unknown zone", `{"measures": ["hubspot_deals.count"], "timezone": "Mars/Olympus"}`, "timezone", "not a known time zone"},
		{"zone injection", `{"measures": ["hubspot_deals.count"], "timezone": "UTC'; --"}`, "timezone", "is not a time zone name"},
		{"limit too large", `{"measures": ["hubspot_deals.count"], "limit": 50001}`, "limit", "between 1 and 50000"},
		{"order by unselected", `{"measures": ["hubspot_deals.count"], "order": {"hubspot_deals.amount": "desc"}}`, "order[0]", "hubspot_deals.amount is not selected"},
		{"nothing selected", `{"filters": []}`, "", "the query selects nothing"},
		{"segment as measure", `{"measures": ["hubspot_deals.won"]}`, "measures[0]", "hubspot_deals.won is a segment"},
		{"no join path", `{"measures": ["hubspot_deals.count"], "dimensions": ["lonely.name"]}`, "dimensions[0]", "there is no cube lonely"},
		{"sum across fan-out", `{"measures": ["companies.employees"], "dimensions": ["hubspot_deals.stage"]}`, "measures",
			"companies.employees (sum) would add up rows the join companies → hubspot_deals (one_to_many) repeats"},
		{"total", `{"measures": ["hubspot_deals.count"], "total": true}`, "total", "total is not supported"},
		{"compare date range", `{"measures": ["hubspot_deals.count"], "timeDimensions": [{"dimension": "hubspot_deals.close_date", "compareDateRange": ["this week", "last week"]}]}`,
			"timeDimensions[0].compareDateRange", "not supported"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := ParseQuery([]byte(tc.query))
			if err == nil {
				_, err = Compile(m, q, Options{Dialect: connectors.DialectPostgres, Now: goldenNow})
			}
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("err = %v, want a *QueryError", err)
			}
			if qe.Field != tc.field || !strings.Contains(qe.Msg, tc.want) {
				t.Fatalf("err = field %q msg %q; want field %q and a message containing %q", qe.Field, qe.Msg, tc.field, tc.want)
			}
		})
	}
}

func TestParseQueryRefusesUnknownProperties(t *testing.T) {
	_, err := ParseQuery([]byte(`{"measures": ["a.b"], "measurez": []}`))
	if err == nil || !strings.Contains(err.Error(), `unknown property "measurez"`) {
		t.Fatalf("err = %v", err)
	}
}

// TestNormalizedQueryRoundTrips checks that the normalized query a client
// gets back can be sent again and means the same thing.
func TestNormalizedQueryRoundTrips(t *testing.T) {
	m := loadTestModel(t)
	q, _ := ParseQuery([]byte(`{"measures": ["hubspot_deals.count"], "timeDimensions": [{"dimension": "hubspot_deals.close_date", "granularity": "day", "dateRange": "last week"}],
		"filters": [{"dimension": "hubspot_deals.stage", "operator": "equals", "values": ["won"]}]}`))
	first, err := Compile(m, q, Options{Dialect: connectors.DialectPostgres, Now: goldenNow})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(first.Query)
	again, err := ParseQuery(raw)
	if err != nil {
		t.Fatalf("normalized query does not parse: %v\n%s", err, raw)
	}
	second, err := Compile(m, again, Options{Dialect: connectors.DialectPostgres, Now: goldenNow.Add(72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if second.SQL != first.SQL {
		t.Fatalf("normalized query compiles differently:\n%s\n---\n%s", first.SQL, second.SQL)
	}
	if got := first.Query.TimeDimensions[0].DateRange; got[0] != "2024-03-04T00:00:00.000" || got[1] != "2024-03-10T23:59:59.999" {
		t.Fatalf("last week = %v", got)
	}
}

func TestRelativeRanges(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	now := time.Date(2024, 3, 31, 10, 0, 0, 0, la) // a Sunday, after the DST change
	cases := map[string][2]string{
		"today":                         {"2024-03-31T00:00:00.000", "2024-03-31T23:59:59.999"},
		"Yesterday":                     {"2024-03-30T00:00:00.000", "2024-03-30T23:59:59.999"},
		"tomorrow":                      {"2024-04-01T00:00:00.000", "2024-04-01T23:59:59.999"},
		"this week":                     {"2024-03-25T00:00:00.000", "2024-03-31T23:59:59.999"},
		"last month":                    {"2024-02-01T00:00:00.000", "2024-02-29T23:59:59.999"},
		"next quarter":                  {"2024-04-01T00:00:00.000", "2024-06-30T23:59:59.999"},
		"this year":                     {"2024-01-01T00:00:00.000", "2024-12-31T23:59:59.999"},
		"last 7 days":                   {"2024-03-24T00:00:00.000", "2024-03-30T23:59:59.999"},
		"last  6 months":                {"2023-09-01T00:00:00.000", "2024-02-29T23:59:59.999"},
		"next 2 weeks":                  {"2024-04-01T00:00:00.000", "2024-04-14T23:59:59.999"},
		"last 360 days":                 {"2023-04-06T00:00:00.000", "2024-03-30T23:59:59.999"},
		"from 7 days ago to now":        {"2024-03-24T00:00:00.000", "2024-03-31T23:59:59.999"},
		"from 1 month ago to now":       {"2024-02-29T00:00:00.000", "2024-03-31T23:59:59.999"},
		"from 2 hours ago to now":       {"2024-03-31T08:00:00.000", "2024-03-31T10:59:59.999"},
		"from now to 2 weeks from now":  {"2024-03-31T00:00:00.000", "2024-04-14T23:59:59.999"},
		"from 2024-01-01 to 2024-01-31": {"2024-01-01T00:00:00.000", "2024-01-31T23:59:59.999"},
	}
	for phrase, want := range cases {
		r, err := relativeRange(phrase, now)
		if err != nil {
			t.Errorf("%q: %v", phrase, err)
			continue
		}
		if got := [2]string{r.from.Format(localLayout), r.to.Format(localLayout)}; got != want {
			t.Errorf("%q = %v, want %v", phrase, got, want)
		}
	}
}
