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
	q, args, idx, err := readSQL(connectors.ReadRequest{Table: table}, readCols)
	if err != nil || idx != -1 || len(args) != 0 {
		t.Fatalf("full read: %v, %d, %v", err, idx, args)
	}
	if want := "SELECT [id], [odd]]name], [updated_at] FROM [sales].[order lines]"; q != want {
		t.Errorf("full read SQL\n got %s\nwant %s", q, want)
	}
	q, args, idx, err = readSQL(connectors.ReadRequest{Table: table, CursorField: "updated_at",
		CursorAfter: "2024-01-02T03:04:05.1234567Z"}, readCols)
	if err != nil || idx != 2 {
		t.Fatalf("incremental read: %v, %d", err, idx)
	}
	if want := "SELECT [id], [odd]]name], [updated_at] FROM [sales].[order lines] WHERE [updated_at] > CAST(@p1 AS datetime2(7)) ORDER BY [updated_at]"; q != want {
		t.Errorf("incremental read SQL\n got %s\nwant %s", q, want)
	}
	want := civil.DateTime{Date: civil.Date{Year: 2024, Month: 1, Day: 2}, Time: civil.Time{Hour: 3, Minute: 4, Second: 5, Nanosecond: 123456700}}
	if dt, ok := args[0].(civil.DateTime); !ok || dt != want {
		t.Errorf("cursor parameter = %#v, want the wall time as datetime2", args[0])
	}
	if _, _, _, err := readSQL(connectors.ReadRequest{Table: table, CursorField: "missing"}, readCols); err == nil {
		t.Error("a cursor that is not a column was accepted")
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

type collectSink struct{ batches [][][]any }

func (s *collectSink) WriteBatch(_ context.Context, rows [][]any) error {
	s.batches = append(s.batches, append([][]any(nil), rows...))
	return nil
}

func TestReadStreamsBatchesAndTracksTheCursor(t *testing.T) {
	req := connectors.ReadRequest{Table: connectors.TableRef{Schema: "s", Name: "t"}, Columns: readCols,
		CursorField: "id", CursorAfter: int64(10), BatchSize: 2}
	q, _, _, err := readSQL(req, readCols)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &fakeDriver{answers: map[string]fakeResult{q: {
		cols:  []string{"id", "odd]name", "updated_at"},
		types: []string{"BIGINT", "NVARCHAR", "DATETIME2"},
		rows:  [][]driver.Value{{int64(11), "a", at}, {int64(12), "bb", at}, {int64(13), nil, nil}},
	}}}
	sink := &collectSink{}
	stats, err := withFake(t, f).Read(context.Background(), req, sink)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Rows != 3 || stats.MaxCursor != int64(13) || len(sink.batches) != 2 || len(sink.batches[1]) != 1 {
		t.Fatalf("stats %+v, batches %d", stats, len(sink.batches))
	}
	if want := q + " | int64 10"; f.log[0] != want {
		t.Errorf("sent %q, want %q", f.log[0], want)
	}
}
