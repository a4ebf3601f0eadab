package bigquery

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

const ordersSQL = "SELECT * FROM sales.orders ORDER BY id"

func TestQueryValues(t *testing.T) {
	f := salesFake(t)
	f.queries[ordersSQL] = fakeQuery{statementType: "SELECT", fields: ordersFields, rows: ordersRows}
	trusted, _ := testKeys(t)
	res, err := connectFake(t, f, trusted).Query(context.Background(), ordersSQL, connectors.QueryOptions{MaxRows: 100, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 3 || res.Truncated {
		t.Fatalf("got %d rows, truncated %v", len(res.Rows), res.Truncated)
	}
	first := res.Rows[0]
	checks := []struct {
		col  int
		want any
	}{
		{0, int64(1)}, {1, 0.25}, {2, connectors.Decimal("123456789.123")}, {3, true},
		{4, connectors.Date("2024-02-29")}, {5, "héllo, 'world'"}, {6, connectors.JSON(`{"k":[1,2]}`)},
		{8, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}, {9, time.Date(2024, 1, 2, 3, 4, 5, 500_000_000, time.UTC)},
		{11, connectors.JSON(`{"name":"Ada","since":"2020-01-01"}`)}, {12, connectors.Decimal("1.5")},
	}
	for _, c := range checks {
		if got := first[c.col]; got != c.want {
			t.Errorf("column %s = %#v, want %#v", res.Columns[c.col].Name, got, c.want)
		}
	}
	if raw, ok := first[7].([]byte); !ok || string(raw) != "\x00\x01\xff" {
		t.Errorf("raw = %#v", first[7])
	}
	if tags, ok := first[10].([]any); !ok || !slices.Equal(tags, []any{int64(1), int64(2)}) {
		t.Errorf("tags = %#v", first[10])
	}
	if got := res.Rows[1][2]; got != connectors.Decimal("-0.001") {
		t.Errorf("row 2 amount = %#v", got)
	}
	for i, v := range res.Rows[2] {
		if v != nil && i != 0 && i != 5 && i != 10 {
			t.Errorf("row 3 column %s = %#v, want NULL", res.Columns[i].Name, v)
		}
	}
	if res.Columns[2].Type.String() != "decimal(12,3)" || res.Columns[10].Type.String() != "array<int>" {
		t.Errorf("result types = %s, %s", res.Columns[2].Type, res.Columns[10].Type)
	}
	if !slices.Equal(f.dryRuns, []string{ordersSQL}) || !slices.Equal(f.runs, []string{ordersSQL}) {
		t.Errorf("dry runs %v, runs %v; want one of each", f.dryRuns, f.runs)
	}
	if job := f.onlyJob(t); job.timeoutMs != 5000 {
		t.Errorf("jobTimeoutMs = %d, want the query timeout", job.timeoutMs)
	}
}

func TestQueryRowCap(t *testing.T) {
	f := salesFake(t)
	f.queries[ordersSQL] = fakeQuery{statementType: "SELECT", fields: ordersFields, rows: ordersRows}
	trusted, _ := testKeys(t)
	res, err := connectFake(t, f, trusted).Query(context.Background(), ordersSQL, connectors.QueryOptions{MaxRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 2 || !res.Truncated {
		t.Fatalf("got %d rows, truncated %v; want 2 and truncated", len(res.Rows), res.Truncated)
	}
	// The first call only waits for the job; the page asks for one row past the cap.
	if !slices.Equal(f.pages, []string{"0", "3"}) {
		t.Errorf("getQueryResults maxResults = %v, want [0 3]", f.pages)
	}
}

// TestQueryRefusesWhatTheDryRunCallsAWrite: the dry run reports DELETE, so
// no job runs (the fake fails the test if one does).
func TestQueryRefusesWhatTheDryRunCallsAWrite(t *testing.T) {
	f := salesFake(t)
	for sql, typ := range map[string]string{
		"DELETE FROM sales.orders WHERE TRUE":               "DELETE",
		"CREATE TABLE sales.copy AS SELECT 1 AS x":          "CREATE_TABLE_AS_SELECT",
		"SELECT 1; DROP TABLE sales.orders":                 "SCRIPT",
		"EXPORT DATA OPTIONS(uri='gs://b/*') AS SELECT 1 x": "EXPORT_DATA",
	} {
		f.queries[sql] = fakeQuery{statementType: typ}
	}
	trusted, _ := testKeys(t)
	c := connectFake(t, f, trusted)
	for sql := range f.queries {
		if sql == "SELECT 1" {
			continue
		}
		_, err := c.Query(context.Background(), sql, connectors.QueryOptions{MaxRows: 10})
		var roErr *connectors.ReadOnlyError
		if !errors.As(err, &roErr) || !errors.Is(err, connectors.ErrReadOnly) {
			t.Errorf("%s: %v, want a read-only refusal", sql, err)
		}
	}
	if len(f.runs) != 0 {
		t.Fatalf("jobs ran: %v", f.runs)
	}
}

func TestQuerySyntaxError(t *testing.T) {
	f := salesFake(t)
	trusted, _ := testKeys(t)
	_, err := connectFake(t, f, trusted).Query(context.Background(), "SELEC nothing FROM", connectors.QueryOptions{MaxRows: 10})
	var qe *connectors.QueryError
	if !errors.As(err, &qe) || qe.Kind != connectors.QueryErrSyntax || qe.Message != "Syntax error: Unexpected identifier at [1:1]" {
		t.Fatalf("syntax error: %v, want a syntax QueryError with BigQuery's message", err)
	}
}

// TestQueryJobTimeout: the job carries jobTimeoutMs and BigQuery stops it.
func TestQueryJobTimeout(t *testing.T) {
	f := salesFake(t)
	f.queries["SELECT slow"] = fakeQuery{statementType: "SELECT", hang: true}
	trusted, _ := testKeys(t)
	_, err := connectFake(t, f, trusted).Query(context.Background(), "SELECT slow", connectors.QueryOptions{MaxRows: 10, Timeout: 200 * time.Millisecond})
	var qe *connectors.QueryError
	if !errors.As(err, &qe) || qe.Kind != connectors.QueryErrTimeout {
		t.Fatalf("slow query: %v, want a timeout QueryError", err)
	}
	if job := f.onlyJob(t); job.timeoutMs != 200 || len(f.cancelled) != 0 {
		t.Fatalf("job timeout %d ms, cancelled %v; want BigQuery's own 200 ms timeout to stop it", job.timeoutMs, f.cancelled)
	}
}

// TestQueryCancelledWhenTheClientGivesUp: a job that outlives the deadline
// (BigQuery's timeout did not fire) is cancelled on the server.
func TestQueryCancelledWhenTheClientGivesUp(t *testing.T) {
	f := salesFake(t)
	f.queries["SELECT stuck"] = fakeQuery{statementType: "SELECT", hang: true, ignoreTimeout: true}
	trusted, _ := testKeys(t)
	_, err := connectFake(t, f, trusted).Query(context.Background(), "SELECT stuck", connectors.QueryOptions{MaxRows: 10, Timeout: 50 * time.Millisecond})
	var qe *connectors.QueryError
	if !errors.As(err, &qe) || qe.Kind != connectors.QueryErrTimeout {
		t.Fatalf("stuck query: %v, want a timeout QueryError", err)
	}
	if len(f.cancelled) != 1 {
		t.Fatalf("cancelled jobs = %v, want the stuck one", f.cancelled)
	}
}
