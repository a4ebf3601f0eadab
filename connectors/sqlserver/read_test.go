package sqlserver

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"testing"
	"time"

	"github.com/golang-sql/civil"
	mssql "github.com/microsoft/go-mssqldb"

	"github.com/sluice-dev/sluice/connectors"
)

var readCols = []connectors.Column{
	{Name: "id", SourceType: "bigint", Type: connectors.Scalar(connectors.KindInt)},
	{Name: "odd]name", SourceType: "nvarchar(50)", Type: connectors.Scalar(connectors.KindString)},
	{Name: "updated_at", SourceType: "datetime2(7)", Type: connectors.Scalar(connectors.KindTimestamp)},
}

func TestReadSQL(t *testing.T) {
	table := connectors.TableRef{Schema: "sales", Name: "order lines"}
	plan := func(req connectors.ReadRequest) *readPlan {
		t.Helper()
		req.Table, req.Columns, req.ChunkRows = table, readCols, 500
		p, err := planRead(req)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	q, args, err := plan(connectors.ReadRequest{}).sql(nil)
	if err != nil || len(args) != 0 {
		t.Fatalf("full read: %v, %v", err, args)
	}
	if want := "SELECT [id], [odd]]name], [updated_at] FROM [sales].[order lines]"; q != want {
		t.Errorf("full read SQL\n got %s\nwant %s", q, want)
	}
	q, args, err = plan(connectors.ReadRequest{CursorField: "updated_at", CursorAfter: "2024-01-02T03:04:05.1234567Z"}).sql(nil)
	if err != nil {
		t.Fatalf("incremental read: %v", err)
	}
	if want := "SELECT [id], [odd]]name], [updated_at] FROM [sales].[order lines] WHERE [updated_at] > CAST(@p1 AS datetime2(7))"; q != want {
		t.Errorf("incremental read SQL\n got %s\nwant %s", q, want)
	}
	want := civil.DateTime{Date: civil.Date{Year: 2024, Month: 1, Day: 2}, Time: civil.Time{Hour: 3, Minute: 4, Second: 5, Nanosecond: 123456700}}
	if dt, ok := args[0].(civil.DateTime); !ok || dt != want {
		t.Errorf("cursor parameter = %#v, want the wall time as datetime2", args[0])
	}
	// A resumed chunk of a read ordered by two columns, after a key that
	// came back from workflow history as JSON (float64).
	p := plan(connectors.ReadRequest{OrderBy: []string{"id", "odd]name"}, CursorField: "id", CursorAfter: int64(5)})
	q, args, err = p.sql([]any{float64(7), "x"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "SELECT TOP (500) [id], [odd]]name], [updated_at] FROM [sales].[order lines] WHERE [id] > CAST(@p1 AS bigint)" +
		" AND (([id] > CAST(@p2 AS bigint)) OR ([id] = CAST(@p3 AS bigint) AND [odd]]name] > CAST(@p4 AS nvarchar(50))))" +
		" ORDER BY [id], [odd]]name]"; q != want {
		t.Errorf("chunk SQL\n got %s\nwant %s", q, want)
	}
	if len(args) != 4 || args[1] != int64(7) || args[3] != "x" {
		t.Errorf("chunk arguments = %#v", args)
	}
	for _, bad := range []connectors.ReadRequest{{CursorField: "missing"}, {OrderBy: []string{"missing"}}, {OrderBy: []string{"id"}, ResumeAfter: []any{1, 2}}} {
		bad.Table, bad.Columns = table, readCols
		if _, err := planRead(bad); err == nil {
			t.Errorf("%+v was accepted", bad)
		}
	}
}

func TestCastToRefusesOddTypeNames(t *testing.T) {
	if got := castTo("@p1", "int) ; DROP TABLE x; --"); got != "@p1" {
		t.Fatalf("castTo spliced a suspicious type name: %s", got)
	}
	if got := castTo("@p1", "nvarchar(max)"); got != "CAST(@p1 AS nvarchar(max))" {
		t.Fatalf("castTo = %s", got)
	}
}

// TestCursorParamAfterJSONRoundTrip: cursors are stored in workflow history
// as JSON, so they come back as text and float64.
func TestCursorParamAfterJSONRoundTrip(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	var back map[string]any
	raw, _ := json.Marshal(map[string]any{"n": int64(42), "at": at, "d": connectors.Decimal("1.50"), "day": connectors.Date("2024-02-29")})
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if got, err := cursorParam(connectors.Scalar(connectors.KindInt), back["n"]); err != nil || got != int64(42) {
		t.Errorf("int cursor = %#v, %v", got, err)
	}
	if got, err := cursorParam(connectors.Scalar(connectors.KindTimestampTZ), back["at"]); err != nil || !time.Time(got.(mssql.DateTimeOffset)).Equal(at) {
		t.Errorf("timestamptz cursor = %#v, %v", got, err)
	}
	if got, err := cursorParam(connectors.DecimalType(10, 2), back["d"]); err != nil || got != "1.50" {
		t.Errorf("decimal cursor = %#v, %v", got, err)
	}
	if got, err := cursorParam(connectors.Scalar(connectors.KindDate), back["day"]); err != nil || got != (civil.Date{Year: 2024, Month: 2, Day: 29}) {
		t.Errorf("date cursor = %#v, %v", got, err)
	}
	if _, err := cursorParam(connectors.Scalar(connectors.KindInt), "x"); err == nil {
		t.Error("a non-integer cursor for an int column was accepted")
	}
}

type chunkSink struct {
	batches [][][]any
	chunks  [][]any
}

func (s *chunkSink) WriteBatch(_ context.Context, rows [][]any) error {
	s.batches = append(s.batches, append([][]any(nil), rows...))
	return nil
}

func (s *chunkSink) ChunkDone(_ context.Context, lastKey []any) error {
	s.chunks = append(s.chunks, lastKey)
	return nil
}

// TestReadInResumableChunks: chunks of two rows, each a keyset query after
// the previous chunk's last key, each reported done after its rows.
func TestReadInResumableChunks(t *testing.T) {
	req := connectors.ReadRequest{Table: connectors.TableRef{Schema: "s", Name: "t"}, Columns: readCols,
		OrderBy: []string{"id"}, ChunkRows: 2, BatchSize: 10, CursorField: "updated_at"}
	p, _ := planRead(req)
	first, _, _ := p.sql(nil)
	second, _, _ := p.sql([]any{int64(2)})
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	result := func(rows ...[]driver.Value) fakeResult {
		return fakeResult{cols: []string{"id", "odd]name", "updated_at"}, types: []string{"BIGINT", "NVARCHAR", "DATETIME2"}, rows: rows}
	}
	f := &fakeDriver{answers: map[string]fakeResult{
		first:  result([]driver.Value{int64(1), "a", at.Add(time.Hour)}, []driver.Value{int64(2), "bb", at}),
		second: result([]driver.Value{int64(3), nil, nil}),
	}}
	sink := &chunkSink{}
	stats, err := withFake(t, f).Read(context.Background(), req, sink)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Rows != 3 || len(sink.batches) != 2 || len(sink.chunks) != 2 || sink.chunks[0][0] != int64(2) || sink.chunks[1][0] != int64(3) {
		t.Fatalf("stats %+v, batches %d, chunks %v", stats, len(sink.batches), sink.chunks)
	}
	// The cursor is not the order: the greatest value seen wins.
	if stats.MaxCursor != at.Add(time.Hour) {
		t.Errorf("max cursor = %v", stats.MaxCursor)
	}
	if len(f.log) != 2 || f.log[1] != second+" | int64 2" {
		t.Errorf("statements = %q", f.log)
	}
}
