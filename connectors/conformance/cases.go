package conformance

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// Expected columns of the "kinds" table, in order, as sluice types.
var expectedColumns = []struct {
	name     string
	kind     connectors.Kind
	nullable bool
	pk       bool
}{
	{"id", connectors.KindInt, false, true},
	{"big", connectors.KindInt, true, false},
	{"ratio", connectors.KindFloat, true, false},
	{"amount", connectors.KindDecimal, true, false},
	{"flag", connectors.KindBool, true, false},
	{"day", connectors.KindDate, true, false},
	{"label", connectors.KindString, false, false},
	{"doc", connectors.KindJSON, true, false},
	{"raw", connectors.KindBytes, true, false},
	{"at", connectors.KindTimestampTZ, true, false},
}

func testColumns(t *testing.T, f Fixture) {
	cols, err := open[connectors.Discoverer](t, f).Columns(ctx(t), connectors.TableRef{Schema: f.Schema, Name: f.name("kinds")})
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != len(expectedColumns) {
		t.Fatalf("got %d columns, want %d: %+v", len(cols), len(expectedColumns), cols)
	}
	for i, want := range expectedColumns {
		got := cols[i]
		if reason, ok := f.Quirks["json column"]; ok && want.kind == connectors.KindJSON && got.Type.Kind == connectors.KindString {
			t.Logf("%s checked as a string column: %s", want.name, reason)
			want.kind = connectors.KindString
		}
		if got.Name != f.name(want.name) || got.Type.Kind != want.kind || got.Nullable != want.nullable || got.PrimaryKey != want.pk || got.Ordinal != i+1 {
			t.Errorf("column %d = %+v (type %s), want %+v", i, got, got.Type, want)
		}
	}
	if amount := cols[3].Type; amount.Precision != 12 || amount.Scale != 3 {
		t.Errorf("amount type = %s, want decimal(12,3)", amount)
	}
}

// testQueryValues checks that values keep their types and exact values.
func testQueryValues(t *testing.T, f Fixture) {
	q := open[connectors.Querier](t, f)
	res, err := q.Query(ctx(t), fmt.Sprintf("SELECT id, big, ratio, amount, flag, day, label, doc, raw, at FROM %s ORDER BY id", f.QualifiedTable),
		connectors.QueryOptions{MaxRows: 100, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 3 || res.Truncated {
		t.Fatalf("got %d rows (truncated %v), want 3", len(res.Rows), res.Truncated)
	}
	first := res.Rows[0]
	checks := []struct {
		col  int
		want any
	}{
		{0, int64(1)},
		{1, int64(9007199254740993)}, // beyond float64's exact range
		{2, 0.25},
		{3, connectors.Decimal("123456789.123")},
		{4, true},
		{5, connectors.Date("2024-02-29")},
		{6, "héllo, 'world'"},
	}
	if reason, ok := f.Quirks["bool"]; ok {
		t.Logf("flag checked as 1, not true: %s", reason)
		checks[4].want = int64(1)
	}
	for _, c := range checks {
		if first[c.col] != c.want {
			t.Errorf("row 1 column %s = %#v, want %#v", res.Columns[c.col].Name, first[c.col], c.want)
		}
	}
	doc, isJSON := first[7].(connectors.JSON)
	if reason, ok := f.Quirks["json"]; ok && !isJSON {
		t.Logf("doc checked as text: %s", reason)
		text, _ := first[7].(string)
		doc, isJSON = connectors.JSON(text), true
	}
	if !isJSON || !containsText(string(doc), `"k"`) {
		t.Errorf("doc = %#v, want JSON text with key k", first[7])
	}
	if raw, ok := first[8].([]byte); !ok || string(raw) != "\x00\x01\xff" {
		t.Errorf("raw = %#v, want bytes 00 01 ff", first[8])
	}
	want := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	if at, ok := first[9].(time.Time); !ok || !at.Equal(want) {
		t.Errorf("at = %#v, want %s", first[9], want)
	}
	for col := 1; col < len(res.Rows[2]); col++ {
		if col == 6 {
			continue // label is NOT NULL
		}
		if res.Rows[2][col] != nil {
			t.Errorf("row 3 column %s = %#v, want NULL", res.Columns[col].Name, res.Rows[2][col])
		}
	}
	if res.Columns[3].Type.Kind != connectors.KindDecimal || res.Columns[0].Type.Kind != connectors.KindInt {
		t.Errorf("result column types = %v, %v", res.Columns[0].Type, res.Columns[3].Type)
	}
}

func testRowCap(t *testing.T, f Fixture) {
	res, err := open[connectors.Querier](t, f).Query(ctx(t), "SELECT id FROM "+f.QualifiedTable+" ORDER BY id", connectors.QueryOptions{MaxRows: 2, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 2 || !res.Truncated {
		t.Fatalf("got %d rows, truncated=%v; want 2 and truncated", len(res.Rows), res.Truncated)
	}
}

func testSyntaxError(t *testing.T, f Fixture) {
	_, err := open[connectors.Querier](t, f).Query(ctx(t), "SELEC nothing FROM", connectors.QueryOptions{MaxRows: 10, Timeout: 10 * time.Second})
	var qe *connectors.QueryError
	if !errors.As(err, &qe) || qe.Kind != connectors.QueryErrSyntax || qe.Message == "" {
		t.Fatalf("syntax error: %v, want a syntax QueryError with the database's message", err)
	}
}

func testTimeout(t *testing.T, f Fixture) {
	start := time.Now()
	_, err := open[connectors.Querier](t, f).Query(ctx(t), fmt.Sprintf(f.SleepSQL, 10), connectors.QueryOptions{MaxRows: 10, Timeout: time.Second})
	var qe *connectors.QueryError
	if !errors.As(err, &qe) || qe.Kind != connectors.QueryErrTimeout {
		t.Fatalf("slow query: %v, want a timeout QueryError", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("timeout took %s; the statement was not cancelled on the source", elapsed)
	}
}

// testWriteRefused sends a write straight to the connector (bypassing the
// statement guard) to prove the database itself refuses it.
func testWriteRefused(t *testing.T, f Fixture) {
	q := open[connectors.Querier](t, f)
	write := f.WriteSQL
	if write == "" {
		write = "DELETE FROM " + f.QualifiedTable
	}
	_, err := q.Query(ctx(t), write, connectors.QueryOptions{MaxRows: 10, Timeout: 10 * time.Second})
	if !errors.Is(err, connectors.ErrReadOnly) {
		t.Fatalf("%s through Query: %v, want a read-only refusal", write, err)
	}
	res, err := q.Query(ctx(t), "SELECT count(*) FROM "+f.QualifiedTable, connectors.QueryOptions{MaxRows: 1, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Rows[0][0]; n != int64(3) {
		t.Fatalf("rows after refused DELETE = %v, want 3", n)
	}
}

// testDDLRefused proves the database refuses DDL from Query too: on MySQL a
// READ ONLY transaction alone would let DDL through with an implicit commit.
func testDDLRefused(t *testing.T, f Fixture) {
	q := open[connectors.Querier](t, f)
	for _, stmt := range []string{
		"CREATE TABLE " + f.Schema + ".sluice_probe (id int)",
		"DROP VIEW " + f.Schema + ".kinds_view",
	} {
		if _, err := q.Query(ctx(t), stmt, connectors.QueryOptions{MaxRows: 1, Timeout: 10 * time.Second}); !errors.Is(err, connectors.ErrReadOnly) {
			t.Fatalf("%s through Query: %v, want a read-only refusal", stmt, err)
		}
	}
	tables, err := open[connectors.Discoverer](t, f).Tables(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, tb := range tables {
		if tb.Schema == f.Schema {
			names[tb.Name] = true
		}
	}
	if names[f.name("sluice_probe")] || !names[f.name("kinds_view")] {
		t.Fatalf("DDL took effect: tables %v", names)
	}
}
