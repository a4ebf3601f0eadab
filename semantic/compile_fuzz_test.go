package semantic

import (
	"errors"
	"testing"
)

// badQuerySeeds are queries the compiler must refuse, each near a different
// branch of the parser, so the fuzzer starts from every kind of refusal.
var badQuerySeeds = []string{
	``, `null`, `[]`, `{}`, `{"measures": "hubspot_deals.count"}`, `{"measures": []} {}`,
	`{"measures": ["hubspot_deals.count"], "filters": [{"and": [{"or": []}]}]}`,
	`{"measures": ["hubspot_deals.count"], "filters": [{"member": "hubspot_deals.close_date", "operator": "inDateRange", "values": ["2024-01-01"]}]}`,
	`{"measures": ["hubspot_deals.count"], "timeDimensions": [{"dimension": "hubspot_deals.close_date", "dateRange": "last 99999999999 years"}]}`,
	`{"measures": ["hubspot_deals.count"], "timeDimensions": [{"dimension": "hubspot_deals.close_date", "dateRange": ["2024-01-01T00:00:00.000"]}]}`,
	`{"measures": ["hubspot_deals.count"], "order": [["hubspot_deals.count"]], "limit": -1, "offset": -5}`,
	`{"dimensions": ["hubspot_deals.close_date.week"], "timezone": "America/New_York", "ungrouped": true}`,
	`{"measures": ["hubspot_deals.count", "hubspot_deals.count"], "segments": ["hubspot_deals.nope", "hubspot_deals.won"]}`,
}

// FuzzCompile checks that any query JSON, compiled against the test model
// for every dialect, is refused with a *QueryError or compiles to SQL, and
// never panics. The golden queries and badQuerySeeds seed it.
func FuzzCompile(f *testing.F) {
	m := loadTestModel(f)
	for _, g := range goldenQueries(f) {
		f.Add(g.raw)
	}
	for _, s := range badQuerySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		q, err := ParseQuery(raw)
		if err != nil {
			assertQueryError(t, "ParseQuery", raw, err)
			return
		}
		for _, d := range allDialects {
			c, err := Compile(m, q, Options{Dialect: d, Now: goldenNow})
			switch {
			case err != nil:
				assertQueryError(t, "Compile for "+string(d), raw, err)
			case c.SQL == "":
				t.Fatalf("Compile for %s accepted %s and wrote no SQL", d, raw)
			}
		}
	})
}

// assertQueryError fails unless err is the *QueryError the package promises
// for every problem with a query.
func assertQueryError(t *testing.T, what string, raw []byte, err error) {
	t.Helper()
	var qe *QueryError
	if !errors.As(err, &qe) {
		t.Fatalf("%s(%s) returned %T (%v), not a *QueryError", what, raw, err, err)
	}
}
