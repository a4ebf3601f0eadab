package bigquery

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

type chunkSink struct {
	sizes  []int
	chunks [][]any
	rows   int
}

func (s *chunkSink) WriteBatch(_ context.Context, rows [][]any) error {
	s.sizes = append(s.sizes, len(rows))
	s.rows += len(rows)
	return nil
}

func (s *chunkSink) ChunkDone(_ context.Context, lastKey []any) error {
	s.chunks = append(s.chunks, lastKey)
	return nil
}

var readCols = []connectors.Column{
	{Name: "id", SourceType: "INT64", Type: connectors.Scalar(connectors.KindInt)},
	{Name: "at", SourceType: "TIMESTAMP", Type: connectors.Scalar(connectors.KindTimestampTZ)},
}

// readFake serves sql with rows 1..5 of (id, at), at in reverse order of id.
func readFake(t *testing.T, sql string, params []map[string]any) *fakeBigQuery {
	f := salesFake(t)
	var rows [][]any
	for i := 1; i <= 5; i++ {
		rows = append(rows, []any{strconv.Itoa(i), strconv.FormatInt(1704067200000000-int64(i), 10)})
	}
	f.queries[sql] = fakeQuery{statementType: "SELECT", fields: []map[string]any{field("id", "INTEGER"), field("at", "TIMESTAMP")},
		rows: rows, params: params}
	return f
}

// TestReadPastTheCursor: an incremental read sends the cursor as a typed
// named parameter (as it comes back from workflow history: RFC 3339 text)
// and streams the result a page per batch.
func TestReadPastTheCursor(t *testing.T) {
	f := readFake(t, "SELECT `id`, `at` FROM `sluice-test-1`.`sales`.`orders` WHERE `at` > @cursor",
		[]map[string]any{{"name": "cursor", "parameterType": map[string]any{"type": "TIMESTAMP"},
			"parameterValue": map[string]any{"value": "2023-12-31 00:00:00+00:00"}}})
	trusted, _ := testKeys(t)
	sink := &chunkSink{}
	stats, err := connectFake(t, f, trusted).Read(context.Background(), connectors.ReadRequest{Table: connectors.TableRef{Schema: "sales", Name: "orders"},
		Columns: readCols, CursorField: "at", CursorAfter: "2023-12-31T00:00:00Z", BatchSize: 2}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Rows != 5 || !slices.Equal(sink.sizes, []int{2, 2, 1}) || len(sink.chunks) != 0 {
		t.Fatalf("read %d rows in batches %v (chunks %v), want 5 in [2 2 1]", stats.Rows, sink.sizes, sink.chunks)
	}
	// Not ordered by the cursor: the greatest value seen wins (row 1's).
	if want := time.UnixMicro(1704067200000000 - 1).UTC(); stats.MaxCursor != want {
		t.Fatalf("max cursor = %v, want %v", stats.MaxCursor, want)
	}
	if !slices.Equal(f.pages, []string{"0", "2", "2", "2"}) {
		t.Errorf("getQueryResults maxResults = %v, want a wait then pages of 2", f.pages)
	}
}

// TestReadResumesInOrderedChunks: one ordered query after the resume key,
// with a chunk reported done every ChunkRows rows.
func TestReadResumesInOrderedChunks(t *testing.T) {
	f := readFake(t, "SELECT `id`, `at` FROM `sluice-test-1`.`sales`.`orders` WHERE ((`id` > @after0)) ORDER BY `id`",
		[]map[string]any{{"name": "after0", "parameterType": map[string]any{"type": "INT64"}, "parameterValue": map[string]any{"value": "0"}}})
	trusted, _ := testKeys(t)
	sink := &chunkSink{}
	stats, err := connectFake(t, f, trusted).Read(context.Background(), connectors.ReadRequest{Table: connectors.TableRef{Schema: "sales", Name: "orders"},
		Columns: readCols, OrderBy: []string{"id"}, ResumeAfter: []any{float64(0)}, ChunkRows: 2, BatchSize: 10}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Rows != 5 || len(sink.chunks) != 3 || sink.chunks[0][0] != int64(2) || sink.chunks[2][0] != int64(5) {
		t.Fatalf("read %d rows, chunks %v; want 5 rows and chunks ending at 2, 4, 5", stats.Rows, sink.chunks)
	}
	if !slices.Equal(sink.sizes, []int{2, 2, 1}) {
		t.Errorf("batches %v: each chunk must be delivered before it is reported done", sink.sizes)
	}
}

func TestReadSQLTwoKeys(t *testing.T) {
	c := &Connector{project: "p-123456"}
	sql, params, err := c.readSQL(connectors.ReadRequest{Table: connectors.TableRef{Schema: "d", Name: "t"}, Columns: readCols,
		OrderBy: []string{"at", "id"}, ResumeAfter: []any{"2024-01-01T00:00:00Z", int64(9)}})
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT `id`, `at` FROM `p-123456`.`d`.`t` WHERE ((`at` > @after0) OR (`at` = @after0 AND `id` > @after1)) ORDER BY `at`, `id`"
	if sql != want || len(params) != 2 {
		t.Fatalf("SQL\n got %s\nwant %s\nparams %v", sql, want, params)
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
