package bigquery

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

type collectSink struct{ sizes []int }

func (s *collectSink) WriteBatch(_ context.Context, rows [][]any) error {
	s.sizes = append(s.sizes, len(rows))
	return nil
}

// TestReadPagesPastTheCursor: an incremental read sends the cursor as a
// typed named parameter (as it comes back from workflow history: RFC 3339
// text) and streams the result a page per batch.
func TestReadPagesPastTheCursor(t *testing.T) {
	f := salesFake(t)
	sql := "SELECT `id`, `at` FROM `sluice-test-1`.`sales`.`orders` WHERE `at` > @cursor ORDER BY `at`"
	var rows [][]any
	for i := 1; i <= 5; i++ {
		rows = append(rows, []any{strconv.Itoa(i), strconv.FormatInt(1704067200000000+int64(i), 10)})
	}
	f.queries[sql] = fakeQuery{statementType: "SELECT", fields: []map[string]any{field("id", "INTEGER"), field("at", "TIMESTAMP")}, rows: rows,
		params: []map[string]any{{"name": "cursor", "parameterType": map[string]any{"type": "TIMESTAMP"},
			"parameterValue": map[string]any{"value": "2024-01-01 00:00:00+00:00"}}}}
	trusted, _ := testKeys(t)
	c := connectFake(t, f, trusted)
	cols := []connectors.Column{
		{Name: "id", SourceType: "INT64", Type: connectors.Scalar(connectors.KindInt)},
		{Name: "at", SourceType: "TIMESTAMP", Type: connectors.Scalar(connectors.KindTimestampTZ)},
	}
	sink := &collectSink{}
	stats, err := c.Read(context.Background(), connectors.ReadRequest{Table: connectors.TableRef{Schema: "sales", Name: "orders"},
		Columns: cols, CursorField: "at", CursorAfter: "2024-01-01T00:00:00Z", BatchSize: 2}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Rows != 5 || !slices.Equal(sink.sizes, []int{2, 2, 1}) {
		t.Fatalf("read %d rows in batches %v, want 5 in [2 2 1]", stats.Rows, sink.sizes)
	}
	if want := time.UnixMicro(1704067200000005).UTC(); stats.MaxCursor != want {
		t.Fatalf("max cursor = %v, want %v", stats.MaxCursor, want)
	}
	if !slices.Equal(f.pages, []string{"0", "2", "2", "2"}) {
		t.Errorf("getQueryResults maxResults = %v, want a wait then pages of 2", f.pages)
	}
}

func TestCursorParam(t *testing.T) {
	cases := []struct {
		col      connectors.Column
		value    any
		typ, txt string
	}{
		{connectors.Column{Type: connectors.Scalar(connectors.KindInt)}, 42.0, "INT64", "42"},
		{connectors.Column{Type: connectors.DecimalType(76, 38), SourceType: "BIGNUMERIC"}, connectors.Decimal("1.5"), "BIGNUMERIC", "1.5"},
		{connectors.Column{Type: connectors.DecimalType(12, 3), SourceType: "NUMERIC(12, 3)"}, "0.001", "NUMERIC", "0.001"},
		{connectors.Column{Type: connectors.Scalar(connectors.KindTimestamp)}, time.Date(2024, 1, 2, 3, 4, 5, 600_000, time.UTC), "DATETIME", "2024-01-02 03:04:05.0006"},
		{connectors.Column{Type: connectors.Scalar(connectors.KindDate)}, connectors.Date("2024-02-29"), "DATE", "2024-02-29"},
		{connectors.Column{Type: connectors.Scalar(connectors.KindString)}, "b", "STRING", "b"},
	}
	for _, c := range cases {
		p, err := cursorParam(c.col, c.value)
		if err != nil || p.Type.TypeKind != c.typ || p.Value != c.txt {
			t.Errorf("cursorParam(%s, %v) = %+v, %v; want %s %q", c.col.Type, c.value, p, err, c.typ, c.txt)
		}
	}
	if _, err := cursorParam(connectors.Column{Type: connectors.Scalar(connectors.KindJSON)}, "{}"); err == nil {
		t.Error("a JSON cursor was accepted")
	}
	if _, err := cursorParam(connectors.Column{Type: connectors.Scalar(connectors.KindInt)}, "1; DROP"); err == nil {
		t.Error("a non-integer cursor for an INT64 column was accepted")
	}
}

func TestQuoteIdent(t *testing.T) {
	if got := quoteIdent("we`ird\\name"); got != "`we\\`ird\\\\name`" {
		t.Fatalf("quoteIdent = %s", got)
	}
}
